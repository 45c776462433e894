/*
 * The theme switch's rules, pure (no DOM) so host-tests/host/web-logic.test.ts
 * runs them: automatic follows the phone (prefers-color-scheme) until the
 * owner picks light or dark. web/src/theme.ts applies them to the page.
 */

export type ThemeChoice = "auto" | "light" | "dark";
export const THEME_KEY = "ohx-theme";

/** The switch's order: automatic, then the opposite of what the phone shows, then the other. */
export function nextChoice(current: ThemeChoice, prefersDark: boolean): ThemeChoice {
	if (current === "auto") return prefersDark ? "light" : "dark";
	if (current === (prefersDark ? "light" : "dark")) return prefersDark ? "dark" : "light";
	return "auto";
}

export function resolveTheme(choice: ThemeChoice, prefersDark: boolean): "light" | "dark" {
	return choice === "auto" ? (prefersDark ? "dark" : "light") : choice;
}

export function parseChoice(stored: string | null | undefined): ThemeChoice {
	return stored === "light" || stored === "dark" ? stored : "auto";
}

/** What the switch says, for its label and its accessible name. */
export function choiceLabel(choice: ThemeChoice, prefersDark: boolean): { icon: string; name: string } {
	const shown = resolveTheme(choice, prefersDark);
	// ◐ = follows the phone; ☀ / ☾ = the owner's choice.
	return {
		icon: choice === "auto" ? "◐" : shown === "dark" ? "☾" : "☀",
		name: choice === "auto" ? `Theme: automatic (${shown}, as the phone)` : `Theme: ${shown}`,
	};
}
