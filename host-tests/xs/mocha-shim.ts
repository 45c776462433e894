/*
 * A small mocha-compatible runner for inside XS: describe/it/hooks with the
 * same semantics the firmware suites use under mocha on Node (nested
 * suites, before/after/beforeEach/afterEach, async tests, skip). Results go
 * to the Node side through xsnap's issueCommand, one message per test.
 */

type Fn = (this: Context, done?: (err?: unknown) => void) => unknown;
interface Context {
	timeout(ms?: number): Context;
	slow(ms?: number): Context;
	skip(): never;
}
interface Suite {
	title: string;
	parent?: Suite;
	skip: boolean;
	tests: { title: string; fn?: Fn; skip: boolean }[];
	suites: Suite[];
	before: Fn[];
	after: Fn[];
	beforeEach: Fn[];
	afterEach: Fn[];
	order: ({ kind: "test"; index: number } | { kind: "suite"; index: number })[];
}

declare const issueCommand: (msg: ArrayBuffer) => ArrayBuffer;

const root: Suite = newSuite("", undefined, false);
let current = root;

function newSuite(title: string, parent: Suite | undefined, skip: boolean): Suite {
	return { title, parent, skip, tests: [], suites: [], before: [], after: [], beforeEach: [], afterEach: [], order: [] };
}

class SkipSignal {}

const context: Context = {
	timeout() {
		return context;
	},
	slow() {
		return context;
	},
	skip() {
		throw new SkipSignal();
	},
};

function describeImpl(skip: boolean) {
	return (title: string, fn: () => void) => {
		const suite = newSuite(title, current, skip || current.skip);
		current.order.push({ kind: "suite", index: current.suites.length });
		current.suites.push(suite);
		const saved = current;
		current = suite;
		try {
			fn.call(context as never);
		} finally {
			current = saved;
		}
	};
}

function itImpl(skip: boolean) {
	return (title: string, fn?: Fn) => {
		current.order.push({ kind: "test", index: current.tests.length });
		current.tests.push({ title, fn, skip: skip || !fn });
	};
}

const g = globalThis as any;
g.describe = Object.assign(describeImpl(false), { skip: describeImpl(true), only: describeImpl(false) });
g.context = g.describe;
g.it = Object.assign(itImpl(false), { skip: itImpl(true), only: itImpl(false) });
g.specify = g.it;
g.before = (fn: Fn) => {
	current.before.push(fn);
};
g.after = (fn: Fn) => {
	current.after.push(fn);
};
g.beforeEach = (fn: Fn) => {
	current.beforeEach.push(fn);
};
g.afterEach = (fn: Fn) => {
	current.afterEach.push(fn);
};

function send(message: object): void {
	const text = JSON.stringify(message);
	const bytes = new Uint8Array(text.length * 3);
	let n = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x80) bytes[n++] = c;
		else if (c < 0x800) {
			bytes[n++] = 0xc0 | (c >> 6);
			bytes[n++] = 0x80 | (c & 63);
		} else {
			bytes[n++] = 0xe0 | (c >> 12);
			bytes[n++] = 0x80 | ((c >> 6) & 63);
			bytes[n++] = 0x80 | (c & 63);
		}
	}
	issueCommand(bytes.slice(0, n).buffer);
}

function invoke(fn: Fn): Promise<unknown> {
	return new Promise((resolve, reject) => {
		try {
			if (fn.length >= 1) {
				fn.call(context, (err?: unknown) => (err ? reject(err) : resolve(undefined)));
				return;
			}
			Promise.resolve(fn.call(context)).then(resolve, reject);
		} catch (e) {
			reject(e);
		}
	});
}

function fullTitle(suite: Suite | undefined, title: string): string {
	const parts = [title];
	for (let s = suite; s && s !== root; s = s.parent) parts.unshift(s.title);
	return parts.join(" ");
}

function describeError(e: unknown): string {
	if (e instanceof Error) return `${e.name}: ${e.message}${e.stack ? `\n${e.stack}` : ""}`;
	return String(e);
}

const stats = { passes: 0, failures: 0, pending: 0 };

function hooks(suite: Suite, kind: "beforeEach" | "afterEach"): Fn[] {
	const chain: Suite[] = [];
	for (let s: Suite | undefined = suite; s; s = s.parent) chain.unshift(s);
	const list = chain.flatMap((s) => s[kind]);
	return kind === "afterEach" ? list.reverse() : list;
}

async function countTests(suite: Suite): Promise<number> {
	let n = suite.tests.length;
	for (const s of suite.suites) n += await countTests(s);
	return n;
}

async function runSuite(suite: Suite, depth: number): Promise<void> {
	if (suite !== root) send({ type: "suite", title: suite.title, depth });
	if (suite.skip) {
		for (const t of suite.tests) {
			stats.pending++;
			send({ type: "pending", title: t.title, depth: depth + 1 });
		}
		for (const s of suite.suites) await runSuite(s, depth + 1);
		return;
	}
	try {
		for (const fn of suite.before) await invoke(fn);
	} catch (e) {
		const n = await countTests(suite);
		stats.failures += n;
		send({ type: "fail", title: `"before all" hook in ${fullTitle(suite, "")}`, error: describeError(e), depth: depth + 1, count: n });
		return;
	}
	for (const item of suite.order) {
		if (item.kind === "suite") {
			await runSuite(suite.suites[item.index], depth + 1);
			continue;
		}
		const test = suite.tests[item.index];
		if (test.skip) {
			stats.pending++;
			send({ type: "pending", title: test.title, depth: depth + 1 });
			continue;
		}
		try {
			for (const fn of hooks(suite, "beforeEach")) await invoke(fn);
			await invoke(test.fn!);
			for (const fn of hooks(suite, "afterEach")) await invoke(fn);
			stats.passes++;
			send({ type: "pass", title: test.title, depth: depth + 1 });
		} catch (e) {
			if (e instanceof SkipSignal) {
				stats.pending++;
				send({ type: "pending", title: test.title, depth: depth + 1 });
				continue;
			}
			stats.failures++;
			send({ type: "fail", title: fullTitle(suite, test.title), error: describeError(e), depth: depth + 1 });
		}
	}
	try {
		for (const fn of suite.after) await invoke(fn);
	} catch (e) {
		stats.failures++;
		send({ type: "fail", title: `"after all" hook in ${fullTitle(suite, "")}`, error: describeError(e), depth: depth + 1 });
	}
}

export function runAll(): void {
	runSuite(root, -1).then(
		() => send({ type: "end", ...stats }),
		(e) => send({ type: "crash", error: describeError(e) }),
	);
}
