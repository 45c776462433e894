/* The whole text of a response body, whatever its form (a streamed BodySource is read to its end). */
import { isBodySource, type Response } from "api/http";
import { utf8Decode } from "util/utf8";

export function bodyText(res: Response, pieceSize = 64): string {
	const body = res.body;
	if (body === undefined) return "";
	if (typeof body === "string") return body;
	if (body instanceof Uint8Array) return utf8Decode(body);
	if (!isBodySource(body)) throw new TypeError("unknown body");
	const parts: Uint8Array[] = [];
	let total = 0;
	for (let piece = body.read(pieceSize); piece; piece = body.read(pieceSize)) {
		if (piece.length > pieceSize) throw new RangeError(`a piece of ${piece.length} bytes when ${pieceSize} were asked for`);
		parts.push(piece.slice());
		total += piece.length;
	}
	body.close?.(); // as the connection does once the answer is out
	const all = new Uint8Array(total);
	let at = 0;
	for (const p of parts) {
		all.set(p, at);
		at += p.length;
	}
	return utf8Decode(all);
}
