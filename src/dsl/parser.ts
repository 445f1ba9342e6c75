/**
 * Recursive-descent parser for the expression language, one method per grammar rule of docs/design.md#expressions.
 *
 * Lexer problems do not stop parsing (bad lexemes are `error` nodes); the first syntax error does,
 * because what follows it cannot be read reliably. A syntax error at a lexeme the lexer already
 * reported is not reported twice.
 *
 * Limits keep hostile or generated input from exhausting the stack: the text length is checked
 * before anything else, and the nesting depth is checked *before* recursing (brackets, calls,
 * `not`, unary minus) and whenever a node is built (so long operator chains count too): a node's
 * depth is the longest path from it down to a leaf.
 */
import { childrenOf, type Arg, type Expr, type ListExpr } from "./ast.js";
import { exprError, type DslCode, type ExprDiagnostic } from "./errors.js";
import { tokenize, type Keyword, type Punct, type Token } from "./lexer.js";
import type { CompareOp } from "./plan.js";
import type { Span } from "./types.js";

export interface ParseLimits {
  /** Longest accepted expression text, in UTF-16 code units. */
  maxLength: number;
  /** Deepest accepted nesting. */
  maxDepth: number;
  /** Most items in one list, or arguments in one call. */
  maxItems: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxLength: 10_000,
  maxDepth: 64,
  maxItems: 1_000,
};

export interface ParseResult {
  /** Absent when there is a syntax error (lexer errors alone leave `error` nodes in the tree). */
  expr?: Expr;
  diagnostics: ExprDiagnostic[];
}

export function parseExpression(text: string, limits: Partial<ParseLimits> = {}): ParseResult {
  const resolved: ParseLimits = { ...DEFAULT_PARSE_LIMITS, ...limits };
  if (text.length > resolved.maxLength) {
    const diagnostic = exprError(
      "EXPR_TOO_LONG",
      `the expression is ${text.length} characters long; the limit is ${resolved.maxLength}`,
      { start: resolved.maxLength, end: text.length },
      "split it into several segments and combine them with in_segment(…)",
    );
    return { diagnostics: [diagnostic] };
  }
  const { tokens, diagnostics } = tokenize(text);
  try {
    const expr = new Parser(tokens, text, resolved).parse();
    return { expr, diagnostics };
  } catch (error) {
    if (!(error instanceof ParseFailure)) throw error;
    return {
      diagnostics: error.diagnostic === null ? diagnostics : [...diagnostics, error.diagnostic],
    };
  }
}

/** Unwinds the parser at the first syntax error; `null` = already reported by the lexer. */
class ParseFailure extends Error {
  constructor(readonly diagnostic: ExprDiagnostic | null) {
    super(diagnostic?.message ?? "syntax error after a lexical error");
  }
}

const COMPARE_OPS: ReadonlySet<string> = new Set<CompareOp>(["=", "!=", "<", "<=", ">", ">="]);

class Parser {
  private pos = 0;
  /** Constructs currently open on the parser's own stack. */
  private open = 0;
  /** Depth of every node built so far (leaves: 0). */
  private readonly depths = new Map<Expr, number>();

  constructor(
    private readonly tokens: readonly Token[],
    private readonly source: string,
    private readonly limits: ParseLimits,
  ) {}

  parse(): Expr {
    const first = this.peek();
    if (first.kind === "eof") {
      this.fail("EMPTY_EXPRESSION", "the expression is empty", {
        start: 0,
        end: this.source.length,
      });
    }
    const expr = this.expression();
    const rest = this.peek();
    if (rest.kind !== "eof") this.trailing(rest);
    return expr;
  }

  // expression = or
  private expression(): Expr {
    return this.or();
  }

  // or = and { "or" and }
  private or(): Expr {
    return this.logical("or", () => this.and());
  }

  // and = unary { "and" unary }
  private and(): Expr {
    return this.logical("and", () => this.unary());
  }

  private logical(op: "and" | "or", operand: () => Expr): Expr {
    const start = this.peek().span.start;
    const first = operand();
    if (!this.atKeyword(op)) return first;
    const operands = [first];
    while (this.atKeyword(op)) {
      this.advance();
      operands.push(operand());
    }
    return this.build({ kind: op, operands, span: this.spanFrom(start) });
  }

  // unary = "not" unary | comparison
  private unary(): Expr {
    const token = this.peek();
    if (!this.atKeyword("not")) return this.comparison();
    this.advance();
    this.enter(token);
    const operand = this.unary();
    this.leave();
    return this.build({ kind: "not", operand, span: this.spanFrom(token.span.start) });
  }

  // comparison = additive [ ("=" | "!=" | "<" | "<=" | ">" | ">=") additive
  //   | ["not"] "in" list | ["not"] "contains" additive | "between" additive "and" additive | "is" ["not"] "null" ]
  private comparison(): Expr {
    const start = this.peek().span.start;
    const left = this.additive();
    const result = this.comparisonTail(left, start);
    if (result !== left) {
      const next = this.peek();
      if (this.startsComparison(next)) {
        this.fail(
          "CHAINED_COMPARISON",
          `comparisons cannot be chained: unexpected ${this.describe(next)}`,
          next.span,
          "combine two comparisons with and: a < b and b < c",
        );
      }
    }
    return result;
  }

  private comparisonTail(left: Expr, start: number): Expr {
    const token = this.peek();
    if (token.kind === "punct" && COMPARE_OPS.has(token.value)) {
      this.advance();
      const right = this.additive();
      const op = token.value as CompareOp;
      return this.build({ kind: "compare", op, left, right, span: this.spanFrom(start) });
    }
    if (token.kind !== "keyword") return left;
    let negated = false;
    if (token.value === "not") {
      const next = this.peek(1);
      if (!(next.kind === "keyword" && (next.value === "in" || next.value === "contains"))) {
        const isNull = next.kind === "keyword" && next.value === "null";
        return this.fail(
          "UNEXPECTED_TOKEN",
          'expected "in" or "contains" after "not"',
          token.span,
          isNull ? "write is not null" : "a negation goes before the condition: not (a = b)",
        );
      }
      this.advance();
      negated = true;
    }
    const keyword = this.peek();
    if (keyword.kind !== "keyword") return left;
    switch (keyword.value) {
      case "in": {
        this.advance();
        const list = this.inList();
        return this.build({ kind: "in", negated, value: left, list, span: this.spanFrom(start) });
      }
      case "contains": {
        this.advance();
        const item = this.additive();
        const span = this.spanFrom(start);
        return this.build({ kind: "contains", negated, container: left, item, span });
      }
      case "between": {
        this.advance();
        const low = this.additive();
        if (!this.atKeyword("and")) this.unexpected(this.peek(), '"and" (between … and …)');
        this.advance();
        const high = this.additive();
        return this.build({ kind: "between", value: left, low, high, span: this.spanFrom(start) });
      }
      case "is": {
        this.advance();
        const isNot = this.atKeyword("not");
        if (isNot) this.advance();
        if (!this.atKeyword("null")) {
          const expected = isNot ? '"null" after "is not"' : '"null" or "not null" after "is"';
          this.unexpected(this.peek(), expected);
        }
        this.advance();
        const span = this.spanFrom(start);
        return this.build({ kind: "is_null", negated: isNot, operand: left, span });
      }
      default:
        return left;
    }
  }

  // list after "in" (the grammar's `["not"] "in" list`)
  private inList(): ListExpr {
    const token = this.peek();
    if (!(token.kind === "punct" && token.value === "[")) {
      if (token.kind === "error") throw new ParseFailure(null);
      const hint =
        token.kind === "name"
          ? `to test whether the list field ${token.value} holds a value, write: ${token.value} contains "…"`
          : 'write the values in brackets: in ["a", "b"]';
      const found = this.describe(token);
      this.fail("EXPECTED_LIST", `expected a list after "in", found ${found}`, token.span, hint);
    }
    return this.list();
  }

  // additive = term { ("+" | "-") term }
  private additive(): Expr {
    const start = this.peek().span.start;
    let left = this.term();
    for (;;) {
      const token = this.peek();
      if (token.kind !== "punct" || (token.value !== "+" && token.value !== "-")) return left;
      this.advance();
      const right = this.term();
      left = this.build({
        kind: "arith",
        op: token.value,
        left,
        right,
        span: this.spanFrom(start),
      });
    }
  }

  // term = factor { ("*" | "/") factor }
  private term(): Expr {
    const start = this.peek().span.start;
    let left = this.factor();
    for (;;) {
      const token = this.peek();
      if (token.kind !== "punct" || (token.value !== "*" && token.value !== "/")) return left;
      this.advance();
      const right = this.factor();
      left = this.build({
        kind: "arith",
        op: token.value,
        left,
        right,
        span: this.spanFrom(start),
      });
    }
  }

  // factor = "-" factor | primary
  private factor(): Expr {
    const token = this.peek();
    if (!this.atPunct("-")) return this.primary();
    this.advance();
    this.enter(token);
    const operand = this.factor();
    this.leave();
    return this.build({ kind: "negate", operand, span: this.spanFrom(token.span.start) });
  }

  // primary = NUMBER | STRING | DATE | OFFSET | DURATION | "true" | "false" | "null" | "today"
  //         | NAME [ "(" [ arg { "," arg } ] ")" ] | NAME "." NAME | "(" expression ")" | list
  private primary(): Expr {
    const token = this.peek();
    const { span } = token;
    switch (token.kind) {
      case "number":
        this.advance();
        return this.build({ kind: "number", value: token.value, span });
      case "string":
        this.advance();
        return this.build({ kind: "string", value: token.value, span });
      case "date":
        this.advance();
        return this.build({ kind: "date", day: token.value, span });
      case "duration":
        this.advance();
        return this.build({ kind: "duration", duration: token.value, span });
      case "offset":
        this.advance();
        return this.build({ kind: "offset", duration: token.value, sign: token.sign, span });
      case "error":
        this.advance();
        return this.build({ kind: "error", span });
      case "keyword":
        return this.keywordValue(token.value, token);
      case "name":
        return this.nameOrCall();
      case "punct":
        if (token.value === "(") return this.group();
        if (token.value === "[") return this.list();
        return this.unexpected(token, "a value");
      case "eof":
        return this.unexpected(token, "a value");
      default: {
        const never: never = token;
        return never;
      }
    }
  }

  private keywordValue(keyword: Keyword, token: Token): Expr {
    const { span } = token;
    switch (keyword) {
      case "true":
      case "false":
        this.advance();
        return this.build({ kind: "boolean", value: keyword === "true", span });
      case "null":
        this.advance();
        return this.build({ kind: "null", span });
      case "today":
        this.advance();
        return this.build({ kind: "today", span });
      case "and":
      case "or":
      case "not":
      case "in":
      case "contains":
      case "between":
      case "is":
        return this.unexpected(token, "a value");
      default: {
        const never: never = keyword;
        return never;
      }
    }
  }

  // NAME [ "(" [ arg { "," arg } ] ")" ] | NAME "." NAME
  private nameOrCall(): Expr {
    const nameToken = this.advance();
    const name = this.text(nameToken);
    const start = nameToken.span.start;
    if (this.atPunct("(")) {
      const open = this.advance();
      this.enter(open);
      const args: Arg[] = [];
      if (!this.atPunct(")")) {
        do {
          this.checkItemCount(args.length);
          args.push(this.arg());
        } while (this.matchPunct(","));
      }
      this.close(open, ")", '"," or ")"');
      this.leave();
      return this.build({
        kind: "call",
        callee: name,
        calleeSpan: nameToken.span,
        args,
        span: this.spanFrom(start),
      });
    }
    if (this.atPunct(".")) {
      this.advance();
      const property = this.peek();
      // A keyword is a fine property name (`props.type`, `props.in`): take its text as written.
      if (property.kind !== "name" && property.kind !== "keyword") {
        this.unexpected(property, `a property name after "${name}."`);
      }
      this.advance();
      return this.build({
        kind: "member",
        object: name,
        objectSpan: nameToken.span,
        property: this.text(property),
        propertySpan: property.span,
        span: this.spanFrom(start),
      });
    }
    return this.build({ kind: "name", name, span: nameToken.span });
  }

  // arg = NAME ":" expression | expression
  private arg(): Arg {
    const first = this.peek();
    const second = this.peek(1);
    if (first.kind === "name" && second.kind === "punct" && second.value === ":") {
      this.advance();
      this.advance();
      const value = this.expression();
      return {
        kind: "named",
        name: first.value,
        nameSpan: first.span,
        value,
        span: this.spanFrom(first.span.start),
      };
    }
    const value = this.expression();
    return { kind: "positional", value, span: this.spanFrom(first.span.start) };
  }

  // "(" expression ")"
  private group(): Expr {
    const open = this.advance();
    this.enter(open);
    const inner = this.expression();
    this.close(open, ")", '")" or an operator');
    this.leave();
    return inner;
  }

  // list = "[" [ expression { "," expression } ] "]"
  private list(): ListExpr {
    const open = this.advance();
    this.enter(open);
    const items: Expr[] = [];
    if (!this.atPunct("]")) {
      do {
        this.checkItemCount(items.length);
        items.push(this.expression());
      } while (this.matchPunct(","));
    }
    this.close(open, "]", '"," or "]"');
    this.leave();
    return this.build({ kind: "list", items, span: this.spanFrom(open.span.start) });
  }

  // ---- helpers ----

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }

  private advance(): Token {
    const token = this.peek();
    if (token.kind !== "eof") this.pos++;
    return token;
  }

  private atPunct(value: Punct): boolean {
    const token = this.peek();
    return token.kind === "punct" && token.value === value;
  }

  private atKeyword(value: Keyword): boolean {
    const token = this.peek();
    return token.kind === "keyword" && token.value === value;
  }

  private matchPunct(value: Punct): boolean {
    if (!this.atPunct(value)) return false;
    this.advance();
    return true;
  }

  private startsComparison(token: Token): boolean {
    if (token.kind === "punct") return COMPARE_OPS.has(token.value);
    if (token.kind !== "keyword") return false;
    if (token.value === "not") {
      const next = this.peek(1);
      return next.kind === "keyword" && (next.value === "in" || next.value === "contains");
    }
    return (
      token.value === "in" ||
      token.value === "contains" ||
      token.value === "between" ||
      token.value === "is"
    );
  }

  /** From `start` to the end of the last token consumed. */
  private spanFrom(start: number): Span {
    return { start, end: this.tokens[this.pos - 1].span.end };
  }

  private text(token: Token): string {
    return this.source.slice(token.span.start, token.span.end);
  }

  private close(open: Token, closer: ")" | "]", expected: string): void {
    if (this.matchPunct(closer)) return;
    const token = this.peek();
    if (token.kind === "eof" && !this.afterLexError()) {
      const code: DslCode = closer === ")" ? "MISSING_CLOSING_PAREN" : "MISSING_CLOSING_BRACKET";
      this.fail(code, `missing "${closer}" to close this "${this.text(open)}"`, open.span);
    }
    this.unexpected(token, expected);
  }

  private checkItemCount(count: number): void {
    if (count < this.limits.maxItems) return;
    const token = this.peek();
    this.fail(
      "TOO_MANY_ITEMS",
      `more than ${this.limits.maxItems} items in one list or call`,
      token.span,
      "split the list, or the segment",
    );
  }

  private enter(token: Token): void {
    this.open++;
    if (this.open > this.limits.maxDepth) this.tooDeep(token.span);
  }

  private leave(): void {
    this.open--;
  }

  /** Records the node's depth, failing when it is deeper than allowed. */
  private build<T extends Expr>(expr: T): T {
    let depth = 0;
    for (const child of childrenOf(expr)) {
      depth = Math.max(depth, (this.depths.get(child) ?? 0) + 1);
    }
    if (depth > this.limits.maxDepth) this.tooDeep(expr.span);
    this.depths.set(expr, depth);
    return expr;
  }

  private tooDeep(span: Span): never {
    return this.fail(
      "EXPR_TOO_DEEP",
      `the expression is nested more than ${this.limits.maxDepth} levels deep`,
      span,
      "simplify it, or split it into segments combined with in_segment(…)",
    );
  }

  private afterLexError(): boolean {
    return this.pos > 0 && this.tokens[this.pos - 1].kind === "error";
  }

  private trailing(token: Token): never {
    if (token.kind === "error") throw new ParseFailure(null);
    if (token.kind === "punct" && token.value === ")") {
      return this.fail(
        "TRAILING_INPUT",
        'unmatched ")"',
        token.span,
        'remove it, or add the "(" it closes',
      );
    }
    return this.fail(
      "TRAILING_INPUT",
      `unexpected ${this.describe(token)} after a complete expression`,
      token.span,
      token.kind === "offset" ? this.offsetHint(token) : "join conditions with and / or",
    );
  }

  private unexpected(token: Token, expected: string): never {
    if (token.kind === "error") throw new ParseFailure(null);
    if (token.kind === "eof") {
      if (this.afterLexError()) throw new ParseFailure(null);
      return this.fail(
        "UNEXPECTED_END",
        `expected ${expected}, found the end of the expression`,
        token.span,
      );
    }
    const hint = token.kind === "offset" ? this.offsetHint(token) : undefined;
    return this.fail(
      "UNEXPECTED_TOKEN",
      `expected ${expected}, found ${this.describe(token)}`,
      token.span,
      hint,
    );
  }

  private offsetHint(token: Token): string {
    const text = this.text(token);
    return `${text} is a date offset (sign touching the digits); to ${text[0] === "-" ? "subtract" : "add"} a duration, put a space after the sign: ${text[0]} ${text.slice(1)}`;
  }

  private describe(token: Token): string {
    if (token.kind === "eof") return "the end of the expression";
    const text = this.text(token);
    const shown = text.length > 40 ? `${text.slice(0, 39)}…` : text;
    return token.kind === "string" ? `the string ${shown}` : `"${shown}"`;
  }

  private fail(code: DslCode, message: string, span: Span, hint?: string): never {
    throw new ParseFailure(exprError(code, message, span, hint));
  }
}
