/* The SDK's neopixel driver (modules/drivers/neopixel): no typing ships with @moddable/typings. */
declare module "neopixel" {
	export default class NeoPixel {
		constructor(options: { length: number; pin: number; order?: "RGB" | "GRB" | "RGBW" | "GRBW"; timing?: unknown });
		setPixel(index: number, color: number): void;
		fill(color: number, index?: number, count?: number): void;
		makeRGB(r: number, g: number, b: number): number;
		update(): void;
		close(): void;
		brightness: number;
		readonly length: number;
	}
}
