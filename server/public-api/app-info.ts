// GET /info and GET /parameters: what an integrator's client needs to know about the app, in
// Dify's shapes. The input form comes from the latest published version's start node.
import type { Db } from '@/db/client';
import type { StartConfig } from '@/workflows/nodes/start';
import type { ApiApp } from './auth';
import { latestPublishedVersion } from './published-version';

/** Dify's app modes: a Weft chat app is a chatflow ("advanced-chat"). */
export const difyMode = (app: ApiApp) => (app.kind === 'workflow' ? 'workflow' : 'advanced-chat');

export function appInfo(app: ApiApp) {
  return { name: app.name, description: app.description, tags: [] as string[], mode: difyMode(app) };
}

type StartInput = StartConfig['inputs'][number];

/** One start input as a Dify form control: text-input, number, checkbox or json_object. */
export function formControl(input: StartInput): Record<string, Record<string, unknown>> {
  const common = {
    label: input.name,
    variable: input.name,
    required: input.required ?? false,
    ...(input.description ? { hint: input.description } : {}),
  };
  switch (input.type) {
    case 'string':
      return { 'text-input': { ...common, default: input.default ?? '' } };
    case 'number':
      return { number: { ...common, default: input.default ?? null } };
    case 'boolean':
      return { checkbox: { ...common, default: input.default ?? false } };
    default:
      // Objects and lists are passed as JSON values.
      return { json_object: { ...common, default: input.default ?? null } };
  }
}

export async function appParameters(db: Db, app: ApiApp) {
  const version = await latestPublishedVersion(db, app);
  const start = version.definition.nodes.find((n) => n.type === 'start' && !n.parentId);
  const inputs = ((start?.config as Partial<StartConfig> | undefined)?.inputs ?? []) as StartInput[];
  // A chat app's `query` is the message itself, sent as `query`, not a form field.
  const formInputs = app.kind === 'chat' ? inputs.filter((i) => i.name !== 'query') : inputs;
  const disabled = { enabled: false };
  return {
    opening_statement: '',
    suggested_questions: [] as string[],
    suggested_questions_after_answer: disabled,
    speech_to_text: disabled,
    text_to_speech: disabled,
    retriever_resource: disabled,
    annotation_reply: disabled,
    more_like_this: disabled,
    sensitive_word_avoidance: disabled,
    user_input_form: formInputs.map(formControl),
    file_upload: {
      enabled: false,
      image: { enabled: false, number_limits: 0, transfer_methods: [] as string[] },
    },
    system_parameters: {},
  };
}
