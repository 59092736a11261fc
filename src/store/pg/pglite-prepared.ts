import { parse, protocol, type PGlite } from '@electric-sql/pglite';

const { serialize } = protocol;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Named statements on PGlite, which its `query` does not offer (it parses, plans and describes
 * each statement again, in six calls into the WASM module). A text is parsed once under a name
 * (with its parameters' types, to serialize values as `query` does); each run is then one call
 * that binds, describes, executes and syncs. Statements run under PGlite's own locks: the
 * transaction lock too when outside a transaction, so that no statement slips into another
 * caller's open transaction.
 */
export class PglitePrepared {
  /** Names given, by text; a name is given at once (synchronously), parsed on its first run. */
  private readonly names = new Map<string, string>();
  /** Parameter types of each parsed name. */
  private readonly parsed = new Map<string, number[]>();

  constructor(
    private readonly pg: PGlite,
    private readonly max: number,
    private readonly prefix: string,
  ) {}

  /** The name of sql's statement, given now if there is room; undefined when there is none. */
  nameFor(sql: string): string | undefined {
    let name = this.names.get(sql);
    if (name === undefined && this.names.size < this.max) {
      name = `${this.prefix}${this.names.size + 1}`;
      this.names.set(sql, name);
    }
    return name;
  }

  run<T extends object>(sql: string, name: string, params: readonly unknown[], options: { inTransaction: boolean }): Promise<T[]> {
    const exec = () => this.pg._runExclusiveQuery(() => this.execute<T>(sql, name, params, !options.inTransaction));
    return options.inTransaction ? exec() : this.pg._runExclusiveTransaction(exec);
  }

  private async execute<T extends object>(sql: string, name: string, params: readonly unknown[], syncToFs: boolean): Promise<T[]> {
    let types = this.parsed.get(name);
    if (types === undefined) {
      const described = await this.pg.execProtocol(
        concat([serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name }), serialize.sync()]),
        { syncToFs: false },
      );
      types = parse.parseDescribeStatementResults(described.messages);
      this.parsed.set(name, types);
    }
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = this.pg.serializers[types[i] ?? 0];
      return serializer ? serializer(value) : String(value);
    });
    const { messages } = await this.pg.execProtocol(
      concat([serialize.bind({ statement: name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]),
      { syncToFs },
    );
    return (parse.parseResults(messages, this.pg.parsers)[0]?.rows ?? []) as T[];
  }
}
