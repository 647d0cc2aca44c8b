// Weft's file format for moving an app between workspaces and installations, and for the shipped
// templates: `{ weft: 1, app: { name, kind, description, icon? }, definition }` as JSON or YAML.
// Parsing reports every problem at once (syntax errors with their line, the format version, the
// app fields and every validator problem under `definition…`), so a builder fixes a file in one go.
import { parseDocument as parseYaml, stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { definitionSchema, type WorkflowDefinition } from '@/workflows/dsl/definition';
import type { DefinitionProblem } from '@/workflows/dsl/inspection-types';
import { validateDefinition } from '@/workflows/dsl/validate';
import { isPlainObject, issueMessage, toPath } from '@/workflows/dsl/validate-common';
import { nodeCatalog } from '@/workflows/nodes';

/** The file format's version; bumped only when an older Weft could not read the new shape. */
export const WEFT_FILE_VERSION = 1;

export type TransferFormat = 'json' | 'yaml';

export const appMetaSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  kind: z.enum(['chat', 'workflow']),
  description: z.string().trim().max(2000).default(''),
  icon: z.string().trim().min(1).max(16).optional(),
});

export type AppMeta = z.infer<typeof appMetaSchema>;

export interface WeftDocument {
  weft: typeof WEFT_FILE_VERSION;
  app: AppMeta;
  definition: WorkflowDefinition;
}

export type ParseImportResult =
  | { ok: true; document: WeftDocument }
  | { ok: false; problems: DefinitionProblem[] };

export function exportDefinition(
  definition: WorkflowDefinition,
  format: TransferFormat,
  app: { name: string; kind: 'chat' | 'workflow'; description?: string; icon?: string },
): string {
  const document: WeftDocument = {
    weft: WEFT_FILE_VERSION,
    app: {
      name: app.name,
      kind: app.kind,
      description: app.description ?? '',
      ...(app.icon ? { icon: app.icon } : {}),
    },
    definition,
  };
  // lineWidth 0: long prompts stay on one line (or a block scalar) instead of being folded.
  return format === 'json' ? `${JSON.stringify(document, null, 2)}\n` : toYaml(document, { lineWidth: 0 });
}

/** 1-based line and column of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, col: (lines.at(-1)?.length ?? 0) + 1 };
}

function syntaxProblem(line: number, col: number, reason: string): DefinitionProblem {
  return { code: 'syntax_error', message: `line ${line}, column ${col}: ${reason}`, path: [] };
}

function parseJson(text: string): { value?: unknown; problems: DefinitionProblem[] } {
  try {
    return { value: JSON.parse(text), problems: [] };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8 names the offset ("… in JSON at position 42", newer versions add "(line 3 column 5)");
    // "Unexpected end of JSON input" has none and means the text stopped too early.
    const offset = /at position (\d+)/.exec(message)?.[1];
    const { line, col } = lineAndColumn(text, offset === undefined ? text.length : Number(offset));
    const reason = message
      .replace(/\s*in JSON at position \d+.*$/, '')
      .replace(/ of JSON input$/, ' of the file');
    return { problems: [syntaxProblem(line, col, reason)] };
  }
}

function parseYamlText(text: string): { value?: unknown; problems: DefinitionProblem[] } {
  const doc = parseYaml(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => {
        const at = e.linePos?.[0] ?? lineAndColumn(text, e.pos[0]);
        // The pretty message repeats the position and quotes the line; keep the first sentence.
        return syntaxProblem(at.line, at.col, e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, ''));
      }),
    };
  }
  try {
    // Aliases are capped so a small file cannot expand into gigabytes ("billion laughs").
    return { value: doc.toJS({ maxAliasCount: 100 }), problems: [] };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { problems: [{ code: 'syntax_error', message: reason, path: [] }] };
  }
}

/** Checks an already parsed document (a file's content or a shipped template). */
export function checkDocument(value: unknown): ParseImportResult {
  if (!isPlainObject(value)) {
    return {
      ok: false,
      problems: [
        {
          code: 'invalid_document',
          message: 'the file must hold an object with weft, app and definition',
          path: [],
        },
      ],
    };
  }
  const problems: DefinitionProblem[] = [];
  if (value.weft === undefined) {
    const bare = 'nodes' in value && 'schemaVersion' in value;
    problems.push({
      code: 'missing_version',
      message: bare
        ? 'weft is required: this looks like a bare definition; wrap it as { weft: 1, app: {…}, definition: {…} }'
        : 'weft is required (the file format version, 1): is this a Weft export?',
      path: ['weft'],
    });
  } else if (value.weft !== WEFT_FILE_VERSION) {
    // Another version's app and definition may mean something else: checking them would mislead.
    return {
      ok: false,
      problems: [
        {
          code: 'unsupported_version',
          message: `weft: version ${JSON.stringify(value.weft)} is not supported; this Weft reads version ${WEFT_FILE_VERSION}`,
          path: ['weft'],
        },
      ],
    };
  }

  const app = appMetaSchema.safeParse(value.app);
  if (!app.success) {
    for (const issue of app.error.issues) {
      problems.push({
        code: 'invalid_app',
        message: issueMessage(issue, value.app, (p) => ['app', ...p].join('.')),
        path: ['app', ...toPath(issue.path)],
      });
    }
  }

  const checked = validateDefinition(value.definition, nodeCatalog);
  for (const p of checked.problems) problems.push({ ...p, path: ['definition', ...p.path] });
  // The definition as written (unknown keys dropped), not the validator's copy with defaults filled
  // in, so an export imported again is the same draft.
  const definition = definitionSchema.safeParse(value.definition);
  if (problems.length > 0 || !app.success || !definition.success) return { ok: false, problems };
  return { ok: true, document: { weft: WEFT_FILE_VERSION, app: app.data, definition: definition.data } };
}

/**
 * JSON when the text starts with `{` or `[`, YAML otherwise. Every JSON document is YAML too, but
 * the JSON parser gives JSON files better messages.
 */
export function detectFormat(text: string): TransferFormat {
  return /^\uFEFF?\s*[{[]/.test(text) ? 'json' : 'yaml';
}

/** Parses a file's text; the format is detected when not given. */
export function parseImport(text: string, format?: TransferFormat): ParseImportResult {
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') {
    return { ok: false, problems: [{ code: 'empty_file', message: 'the file is empty', path: [] }] };
  }
  const detected = format ?? detectFormat(source);
  const parsed = detected === 'json' ? parseJson(source) : parseYamlText(source);
  if (parsed.problems.length > 0) return { ok: false, problems: parsed.problems };
  return checkDocument(parsed.value);
}
