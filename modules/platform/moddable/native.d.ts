/*
 * XS native bindings written as TypeScript (moddable-notes.md): a class
 * extending Native("destructor") whose methods call native("xs_fn").
 * xsc compiles these like the `@ "xs_fn"` syntax; the npm typings lack them.
 */
declare function Native(destructor: string): { new (): object };
// biome-ignore lint/suspicious/noExplicitAny: XS's native() binds any C function; each caller's .d.ts gives the real signature.
declare function native(name: string): (...args: any[]) => any;
