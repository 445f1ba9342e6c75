/**
 * `in_segment("id")`: whether the customer is in another segment of the same run. The segment
 * loader orders segments by these references; the scope of the run answers the membership.
 */
import { namedArgs, positionalArgs } from "../arguments.js";
import type { Node } from "../checked.js";
import { article } from "../wording.js";
import type { DslFunction } from "./types.js";

export type InSegmentNode = { kind: "in_segment"; type: "boolean"; segment: string } & Node;

export const inSegment: DslFunction<InSegmentNode> = {
  name: "in_segment",
  usage: 'in_segment("segment-id")',
  kind: "in_segment",
  orderRows: false,
  check(expr, cx) {
    namedArgs(cx, inSegment, expr, []);
    const [arg] = positionalArgs(cx, inSegment, expr, 1, 1);
    if (arg === undefined) return undefined;
    const value = arg.value;
    if (value.kind === "string") {
      cx.segmentRefs.push({ id: value.value, span: value.span });
      return {
        kind: "in_segment",
        type: "boolean",
        segment: value.value,
        nullable: false,
        span: expr.span,
      };
    }
    if (value.kind === "name") {
      cx.error(
        "SEGMENT_ID_NOT_QUOTED",
        "a segment id is a quoted string",
        value.span,
        `quote it: in_segment("${value.name}")`,
      );
      return undefined;
    }
    const checked = cx.check(value);
    if (checked === undefined) return undefined;
    if (checked.type === "string") {
      cx.error(
        "ARGUMENT_NOT_LITERAL",
        "the segment id must be a literal string",
        value.span,
        'usage: in_segment("segment-id")',
      );
    } else {
      cx.error(
        "ARGUMENT_TYPE",
        `in_segment() needs a segment id, but ${cx.subject(value)} is ${article(checked.type)}`,
        value.span,
        checked.type === "list"
          ? 'combine several with or: in_segment("a") or in_segment("b")'
          : 'usage: in_segment("segment-id")',
      );
    }
    return undefined;
  },
  compile(node) {
    return { kind: "in_segment", type: "boolean", segment: node.segment, span: node.span };
  },
};
