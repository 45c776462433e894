// polycrc (npm) ships no typings: the part the simulator uses.
declare module "polycrc" {
	/** A CRC function for the model: width, polynomial, initial value, final xor, reflected in and out. */
	export function crc(width: number, poly: number, xorIn: number, xorOut: number, reflect: boolean): (data: Uint8Array) => number;
	const polycrc: { crc: typeof crc };
	export default polycrc;
}
