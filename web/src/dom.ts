/* A tiny element builder: h("button", {class: "x", onclick}, "text"). */

export type Child = Node | string | number | null | undefined | false | Child[];
type Props = Record<string, unknown> | null | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K] {
	const el = document.createElement(tag);
	if (props) {
		for (const key of Object.keys(props)) {
			const v = props[key];
			if (v === undefined || v === null || v === false) continue;
			if (key.startsWith("on") && typeof v === "function") el.addEventListener(key.slice(2), v as EventListener);
			else if (key === "class") el.className = String(v);
			else if (key in el && key !== "list" && key !== "form") (el as unknown as Record<string, unknown>)[key] = v;
			else el.setAttribute(key, v === true ? "" : String(v));
		}
	}
	append(el, children);
	return el;
}

export function append(parent: Node, children: Child[]): void {
	for (const c of children) {
		if (c === null || c === undefined || c === false) continue;
		if (Array.isArray(c)) append(parent, c);
		else parent.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
	}
}

/** Replace an element's children. */
export function fill(parent: Node, ...children: Child[]): void {
	while (parent.firstChild) parent.removeChild(parent.firstChild);
	append(parent, children);
}

export function text(el: Node, value: string): void {
	if (el.textContent !== value) el.textContent = value;
}

export function fmtBytes(n: number): string {
	if (n < 1024) return `${n} B`;
	if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} kB`;
	return `${(n / 1048576).toFixed(2)} MB`;
}

export function fmtDuration(s: number): string {
	s = Math.max(0, Math.floor(s));
	const d = Math.floor(s / 86400),
		hh = Math.floor((s % 86400) / 3600),
		mm = Math.floor((s % 3600) / 60),
		ss = s % 60;
	if (d) return `${d} d ${hh} h ${mm} min`;
	if (hh) return `${hh} h ${mm} min`;
	if (mm) return `${mm} min ${ss} s`;
	return `${ss} s`;
}

export function fmtDate(epochS: number): string {
	if (!epochS) return "date unknown";
	return new Date(epochS * 1000).toLocaleString();
}
