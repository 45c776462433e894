/*
 * The preload hazards (docs/preload-hazards.md) found in firmware source.
 * On the board every firmware module is preloaded: xsl runs its top level
 * at build time and puts the result in flash. What that top level creates
 * behaves differently there than on Node or in xsnap:
 *
 *   module-regexp     a RegExp created at module level: exec() on it corrupts
 *                     the heap in XS (SDK 8.2.3: a missing `else` in
 *                     fxAllocateRegExpData; docs/repro/xs-preloaded-regexp)
 *   unfrozen-object   an object, array or other instance created at module
 *                     level and not frozen: writing to it makes XS copy it
 *                     into RAM (xsl: "not frozen"), and JSON.stringify
 *                     throws "read only value" on it (xsJSON.c: XS_MARK_FLAG).
 *                     Freeze it (util/frozen's frozen(), or Object.freeze
 *                     around each literal) and tests on Node and xsnap then
 *                     fail where the board would (host-tests/support/
 *                     preloaded-json.ts makes JSON.stringify refuse frozen
 *                     objects, as XS refuses flash objects)
 *   module-let        a `let`/`var` at module level: mutable state in a
 *                     preloaded closure (xsl: "no const"); keep state in
 *                     objects created at run time
 *   module-instance   `new` at module level (a Map, a class instance): its
 *                     state is in flash; create it at run time
 *   stringify-module-object  JSON.stringify of a module-level object
 *   hot-literal       a string literal compared with (===, !==, ==, !=, a
 *                     switch case), or a parameter's default, in a function marked @hot (one the 50 Hz
 *                     loop, an LED frame or every HTTP request runs): in a
 *                     preloaded function XS copies each literal into the
 *                     chunk heap every time it is evaluated (xsl keeps
 *                     XS_CODE_STRING for preloaded code; xsRun.c allocates
 *                     a chunk for it), and a comparison is evaluated on
 *                     every run whatever its outcome. Compare with a
 *                     module-level const instead (its string is in flash).
 *                     A literal returned costs the same on every return that
 *                     takes it; that is not checked (most are error branches),
 *                     so the common path returns constants by hand
 *   hot-enumeration   for-in, Object.assign, Object.keys, Object.values or
 *                     Object.entries in an @hot function: XS builds a key
 *                     list or an enumerator object per call (mcsim: 36 slots
 *                     for a for-in over six keys, 22 for three
 *                     Object.assign in one status poll); copy fields by name
 *
 * A module-level function body runs at run time, so what it creates is fine.
 * Class static initializers run at module level, so they count as module level.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

export type HazardKind = "module-regexp" | "unfrozen-object" | "module-let" | "module-instance" | "stringify-module-object" | "hot-literal" | "hot-enumeration";

/** Object's methods that build a key list per call. */
const ENUMERATING = ["assign", "keys", "values", "entries"];

export interface Hazard {
	kind: HazardKind;
	file: string;
	line: number;
	text: string;
}

/** Calls whose result is frozen all the way down. */
const DEEP_FREEZERS = ["frozen"];

function isFunctionLike(node: ts.Node): boolean {
	return (
		ts.isFunctionDeclaration(node) ||
		ts.isFunctionExpression(node) ||
		ts.isArrowFunction(node) ||
		ts.isMethodDeclaration(node) ||
		ts.isConstructorDeclaration(node) ||
		ts.isGetAccessor(node) ||
		ts.isSetAccessor(node) ||
		(ts.isPropertyDeclaration(node) && !node.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword))
	);
}

/** True when node runs at module evaluation (preload), not inside a function called later. */
function atModuleLevel(node: ts.Node): boolean {
	for (let p = node.parent; p; p = p.parent) {
		if (ts.isClassStaticBlockDeclaration(p)) return true;
		if (isFunctionLike(p)) return false;
	}
	return true;
}

function calleeName(call: ts.CallExpression): string {
	const e = call.expression;
	if (ts.isIdentifier(e)) return e.text;
	if (ts.isPropertyAccessExpression(e)) return `${e.expression.getText()}.${e.name.text}`;
	return "";
}

function unwrap(e: ts.Expression): ts.Expression {
	while (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
	return e;
}

/** Literals inside a module-level initializer that are not frozen (nothing inside frozen() counts). */
function unfrozenLiterals(init: ts.Expression, out: ts.Node[]): void {
	const visit = (node: ts.Node, frozenHere: boolean) => {
		if (isFunctionLike(node) || ts.isClassExpression(node)) return; // runs later
		if (ts.isCallExpression(node)) {
			const name = calleeName(node);
			if (DEEP_FREEZERS.includes(name)) return;
			if (name === "Object.freeze") {
				for (const a of node.arguments) visit(unwrap(a), true);
				return;
			}
		}
		if (ts.isObjectLiteralExpression(node) || ts.isArrayLiteralExpression(node)) {
			if (!frozenHere) out.push(node);
			node.forEachChild((c) => visit(ts.isExpression(c) ? unwrap(c) : c, false));
			return;
		}
		node.forEachChild((c) => visit(c, false));
	};
	visit(unwrap(init), false);
}

export function findHazards(fileName: string, source: string): Hazard[] {
	const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
	const hazards: Hazard[] = [];
	const add = (kind: HazardKind, node: ts.Node) => {
		const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
		hazards.push({ kind, file: fileName, line: line + 1, text: node.getText(sf).split("\n")[0].slice(0, 100) });
	};
	const moduleObjects = new Set<string>();

	for (const statement of sf.statements) {
		if (ts.isVariableStatement(statement)) {
			const flags = statement.declarationList.flags;
			if (statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) continue;
			if (!(flags & ts.NodeFlags.Const)) add("module-let", statement);
			for (const d of statement.declarationList.declarations) {
				if (!d.initializer) continue;
				const init = unwrap(d.initializer);
				const literals: ts.Node[] = [];
				unfrozenLiterals(init, literals);
				for (const l of literals) add("unfrozen-object", l);
				if (
					ts.isIdentifier(d.name) &&
					(ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init) || ts.isCallExpression(init) || ts.isNewExpression(init))
				)
					moduleObjects.add(d.name.text);
			}
		}
		if (ts.isEnumDeclaration(statement) && !statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ConstKeyword || m.kind === ts.SyntaxKind.DeclareKeyword))
			add("unfrozen-object", statement);
		if (ts.isClassDeclaration(statement)) {
			for (const member of statement.members) {
				if (ts.isPropertyDeclaration(member) && member.initializer && member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) {
					const literals: ts.Node[] = [];
					unfrozenLiterals(member.initializer, literals);
					for (const l of literals) add("unfrozen-object", l);
				}
			}
		}
	}

	const walk = (node: ts.Node) => {
		if (ts.isRegularExpressionLiteral(node) && atModuleLevel(node)) add("module-regexp", node);
		if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === "RegExp" && atModuleLevel(node))
			add("module-regexp", node);
		else if (ts.isNewExpression(node) && atModuleLevel(node)) add("module-instance", node);
		if (ts.isCallExpression(node) && calleeName(node) === "JSON.stringify" && node.arguments.length) {
			const arg = unwrap(node.arguments[0]);
			if (ts.isIdentifier(arg) && moduleObjects.has(arg.text) && !isShadowed(arg)) add("stringify-module-object", node);
		}
		node.forEachChild(walk);
	};
	// A local of the same name shadows the module-level one.
	const isShadowed = (id: ts.Identifier): boolean => {
		for (let p: ts.Node | undefined = id.parent; p && p !== sf; p = p.parent) {
			if (
				(ts.isFunctionLike(p) && p.parameters.some((q) => q.name.getText(sf) === id.text)) ||
				(ts.isBlock(p) && p.statements.some((s) => ts.isVariableStatement(s) && s.declarationList.declarations.some((d) => d.name.getText(sf) === id.text)))
			)
				return true;
		}
		return false;
	};
	walk(sf);

	// @hot functions: their comparisons with string literals.
	const isHot = (fn: ts.Node): boolean => {
		const at = (n: ts.Node) =>
			[...(ts.getLeadingCommentRanges(source, n.getFullStart()) ?? []), ...(ts.getTrailingCommentRanges(source, n.getFullStart()) ?? [])].some((r) =>
				source.slice(r.pos, r.end).includes("@hot"),
			);
		// An arrow function's comment sits before the statement that holds it (`/** @hot */ return (req) => ...`).
		return at(fn) || (fn.parent !== undefined && (ts.isReturnStatement(fn.parent) || ts.isVariableDeclaration(fn.parent)) && at(fn.parent));
	};
	const isStringLiteral = (e: ts.Expression) => ts.isStringLiteral(unwrap(e)) || ts.isNoSubstitutionTemplateLiteral(unwrap(e));
	const COMPARISONS = [
		ts.SyntaxKind.EqualsEqualsEqualsToken,
		ts.SyntaxKind.ExclamationEqualsEqualsToken,
		ts.SyntaxKind.EqualsEqualsToken,
		ts.SyntaxKind.ExclamationEqualsToken,
	];
	const inHot = (node: ts.Node) => {
		if (ts.isBinaryExpression(node) && COMPARISONS.includes(node.operatorToken.kind)) {
			if (isStringLiteral(node.left)) add("hot-literal", node.left);
			if (isStringLiteral(node.right)) add("hot-literal", node.right);
		}
		if (ts.isCaseClause(node) && isStringLiteral(node.expression)) add("hot-literal", node.expression);
		// A default parameter is evaluated on every call that omits the argument.
		if (ts.isParameter(node) && node.initializer && isStringLiteral(node.initializer)) add("hot-literal", node.initializer);
		if (ts.isForInStatement(node)) add("hot-enumeration", node.expression);
		if (
			ts.isCallExpression(node) &&
			ts.isPropertyAccessExpression(node.expression) &&
			ts.isIdentifier(node.expression.expression) &&
			node.expression.expression.text === "Object" &&
			ENUMERATING.includes(node.expression.name.text)
		)
			add("hot-enumeration", node.expression);
		if (isFunctionLike(node) && isHot(node)) return; // checked on its own
		node.forEachChild(inHot);
	};
	const findHot = (node: ts.Node) => {
		if ((isFunctionLike(node) || ts.isFunctionLike(node)) && isHot(node)) node.forEachChild(inHot);
		node.forEachChild(findHot);
	};
	findHot(sf);
	return hazards;
}

/** Every firmware source file: main.ts and modules/**.ts (not .d.ts). */
export function firmwareSources(root: string): string[] {
	const out = [path.join(root, "main.ts")];
	const visit = (dir: string) => {
		for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
			const p = path.join(dir, e.name);
			if (e.isDirectory()) visit(p);
			else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
		}
	};
	visit(path.join(root, "modules"));
	return out;
}
