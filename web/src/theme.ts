/*
 * Light or dark: follows the phone's setting (prefers-color-scheme) unless
 * the owner picks one with the header's switch; the choice is kept in this
 * browser (localStorage). The rules are in ./theme-choice.
 */

import { THEME_KEY, choiceLabel, nextChoice, parseChoice, resolveTheme, type ThemeChoice } from "./theme-choice";

const media = () => (typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : undefined);

function stored(): ThemeChoice {
	try {
		return parseChoice(localStorage.getItem(THEME_KEY));
	} catch {
		return "auto";
	}
}

/** Set the page's theme from the stored choice and keep following the phone; returns the switch button's updater. */
export function startTheme(button: HTMLButtonElement): void {
	let choice = stored();
	const apply = () => {
		const dark = media()?.matches ?? false;
		document.documentElement.dataset.theme = resolveTheme(choice, dark);
		const l = choiceLabel(choice, dark);
		button.textContent = l.icon;
		button.setAttribute("aria-label", l.name);
		button.title = l.name;
	};
	button.addEventListener("click", () => {
		choice = nextChoice(choice, media()?.matches ?? false);
		try {
			if (choice === "auto") localStorage.removeItem(THEME_KEY);
			else localStorage.setItem(THEME_KEY, choice);
		} catch {
			/* private mode: this visit only */
		}
		apply();
	});
	media()?.addEventListener?.("change", apply);
	apply();
}

/** A colour the stylesheet defines for the current theme (charts draw on canvas, outside CSS). */
export function themeColor(name: string, fallback: string): string {
	const v = typeof getComputedStyle === "function" ? getComputedStyle(document.documentElement).getPropertyValue(name).trim() : "";
	return v || fallback;
}
