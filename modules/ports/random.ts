/*
 * Random bytes for salts and tokens: the ESP32's hardware RNG on the board
 * (esp_fill_random), node:crypto in the simulator, a seeded generator in tests.
 */

export interface Random {
	bytes(length: number): Uint8Array;
}
