/*
 * The assertion library for suites that run on Node and inside XS: chai 4's
 * assert (chai 5+ needs EventTarget, which XS lacks).
 */
export { assert } from "chai";
