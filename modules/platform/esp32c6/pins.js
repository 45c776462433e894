// The board's pin map, as its manifest wrote it (boards/<board>/manifest.json
// defines.ohx). A .js file: the `@` native syntax is not TypeScript. Types: pins.d.ts.
export function boardPins() @ "xs_ohx_board_pins";
