/**
 * Positions in the files audience reads (docs/design.md#diagnostics). A problem is placed by
 * character offsets into its file; line and column are computed only when a message is printed,
 * from a line index the file builds on first use. Every diagnostic of one file shares the one
 * `SourceFile`, so none carries a copy of the text.
 */

/** A file as messages name it, and its text when it was read (for line numbers and code frames). */
export class SourceFile {
  /** Offsets where each line starts; built on the first position asked for. */
  private lineStarts: number[] | undefined;

  /**
   * @param file the name shown in messages (relative to the working directory)
   * @param text the whole text; `undefined` when the file could not be read
   */
  constructor(
    readonly file: string,
    readonly text?: string,
  ) {}

  /** 1-based line and column of an offset. Lines end at "\n" (a "\r" before it is text). */
  position(offset: number): { line: number; column: number } {
    const starts = this.starts();
    // The last line start at or before the offset.
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - starts[low] + 1 };
  }

  /** The offset where a 1-based line starts (the end of the text past the last line). */
  lineStart(line: number): number {
    const starts = this.starts();
    return starts[line - 1] ?? this.text?.length ?? 0;
  }

  private starts(): number[] {
    if (this.lineStarts === undefined) {
      const starts = [0];
      const text = this.text ?? "";
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }
}

/** A location in lines and columns (1-based; `endColumn` exclusive), computed for printing. */
export interface Place {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/**
 * Where a problem is: the half-open range [start, end) of offsets into a file, or a single place
 * when there is no end. Line and column are read from the file's line index.
 */
export class SourceLocation {
  constructor(
    readonly source: SourceFile,
    readonly start: number,
    readonly end?: number,
  ) {}

  /** The start of a file: for problems of the whole file (missing, unreadable, empty). */
  static fileStart(source: SourceFile): SourceLocation {
    return new SourceLocation(source, 0);
  }

  get file(): string {
    return this.source.file;
  }

  get line(): number {
    return this.source.position(this.start).line;
  }

  get column(): number {
    return this.source.position(this.start).column;
  }

  get endLine(): number | undefined {
    return this.end === undefined ? undefined : this.source.position(this.endOffset()).line;
  }

  /** Exclusive: the column just after the last character of the range. */
  get endColumn(): number | undefined {
    return this.end === undefined ? undefined : this.source.position(this.endOffset()).column;
  }

  /** Line and column, as messages show them (no end when the location has none). */
  place(): Place {
    const { file, line, column, endLine, endColumn } = this;
    return {
      file,
      line,
      column,
      ...(endLine === undefined ? {} : { endLine }),
      ...(endColumn === undefined ? {} : { endColumn }),
    };
  }

  private endOffset(): number {
    return Math.max(this.start, this.end ?? this.start);
  }
}
