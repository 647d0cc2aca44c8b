// The question classifier and parameter extractor against the mock OpenAI-compatible server:
// branches follow the model's class, extracted fields come out typed, and broken answers get one
// repair before failing clearly.
import { describe, expect, it } from 'vitest';
import { modelNodeHarness } from '@/tests/support/model-node-harness';
import { checkJsonSchema } from '@/workflows/nodes/json-schema-check';
import { extractionSchema, parameterExtractorNode } from '@/workflows/nodes/parameter-extractor';
import { questionClassifierNode } from '@/workflows/nodes/question-classifier';

const h = modelNodeHarness('route');
const { usages, run, failure, sentBody, sentMessages } = h;

const classifier = {
  question: 'My invoice is wrong',
  instructions: 'Prefer billing when money is mentioned.',
  classes: [
    { id: 'billing', label: 'Billing', description: 'Invoices, payments, refunds' },
    { id: 'tech', label: 'Technical' },
    { id: 'other', label: 'Anything else' },
  ],
};

describe('question classifier', () => {
  it("follows the branch of the model's class", async () => {
    h.mock.enqueue({ content: '{"class": "billing", "reason": "It is about an invoice"}' });
    const out = await run(questionClassifierNode, classifier);
    expect(out).toMatchObject({
      branch: 'billing',
      class: 'billing',
      label: 'Billing',
      reason: 'It is about an invoice',
      usage: { model: 'mock-gpt' },
    });
    const body = sentBody(0);
    expect(body.stream).toBe(false);
    expect(body.temperature).toBe(0);
    const format = body.response_format as { json_schema: { schema: { properties: { class: unknown } } } };
    expect(format.json_schema.schema.properties.class).toEqual({
      type: 'string',
      enum: ['billing', 'tech', 'other'],
    });
    const [system, user] = sentMessages(0);
    expect(system?.content).toContain('"billing": Billing (Invoices, payments, refunds)');
    expect(system?.content).toContain('Prefer billing when money is mentioned.');
    expect(user).toEqual({ role: 'user', content: 'My invoice is wrong' });
    expect(
      questionClassifierNode.outputHandles(questionClassifierNode.configSchema.parse(classifier)),
    ).toEqual(['billing', 'tech', 'other']);
  });

  it('repairs an unknown class once, then fails clearly', async () => {
    h.mock.enqueue(
      { content: '{"class": "refunds", "reason": "r"}' },
      { content: '{"class": "tech", "reason": "r"}' },
    );
    expect((await run(questionClassifierNode, classifier)).branch).toBe('tech');
    expect(String(sentMessages(1).at(-1)?.content)).toContain(
      '$.class: must be one of "billing", "tech", "other"',
    );

    h.mock.enqueue(
      { content: '{"class": "refunds", "reason": "r"}' },
      { content: '{"class": "money", "reason": "r"}' },
    );
    const err = await failure(questionClassifierNode, classifier);
    expect(err).toMatchObject({ code: 'llm_invalid_output', retryable: false });
    expect(err.message).toBe(
      "The model's answer did not match the schema after one repair: " +
        '$.class: must be one of "billing", "tech", "other", got "money"',
    );
    expect(usages).toHaveLength(4);
  });

  it('refuses duplicate and reserved class ids, and needs a model', async () => {
    const dup = questionClassifierNode.configSchema.safeParse({
      question: 'q',
      classes: [
        { id: 'a', label: 'A' },
        { id: 'a', label: 'A again' },
        { id: 'else', label: 'Else' },
      ],
    });
    expect(dup.error?.issues.map((i) => i.message)).toEqual(['"else" is reserved', 'duplicate class id "a"']);
    h.setDefaultModel(undefined);
    const err = await failure(questionClassifierNode, classifier);
    expect(err).toMatchObject({ code: 'invalid_config', retryable: false });
    expect(err.message).toContain('Mock AI');
    expect(h.mock.requests).toHaveLength(0);
  });
});

const extractor = {
  text: 'Book a table for 4 in Lisbon tomorrow, outside if possible',
  parameters: [
    { name: 'city', type: 'string', description: 'City of the restaurant', required: true },
    { name: 'people', type: 'number', description: 'Number of guests', required: true },
    { name: 'outside', type: 'boolean', description: 'Wants a table outside' },
    { name: 'dishes', type: 'array', description: 'Dishes asked for' },
  ],
};

describe('parameter extractor', () => {
  it('outputs the extracted fields, typed, with usage', async () => {
    h.mock.enqueue({ content: '{"city": "Lisbon", "people": 4, "outside": true, "extra": "ignored"}' });
    const out = await run(parameterExtractorNode, extractor);
    expect(out).toEqual({
      city: 'Lisbon',
      people: 4,
      outside: true,
      dishes: null,
      usage: expect.objectContaining({ model: 'mock-gpt' }),
    });
    expect(usages).toHaveLength(1);
    const config = parameterExtractorNode.configSchema.parse(extractor);
    expect(parameterExtractorNode.outputTypes?.(config)).toEqual({
      city: 'string',
      people: 'number',
      outside: 'boolean',
      dishes: 'array',
      usage: 'object',
    });
    expect(sentMessages(0)[1]?.content).toBe(extractor.text);
  });

  it('repairs a wrongly typed field', async () => {
    h.mock.enqueue(
      { content: '{"city": "Lisbon", "people": "four"}' },
      { content: '{"city": "Lisbon", "people": 4}' },
    );
    const out = await run(parameterExtractorNode, extractor);
    expect(out.people).toBe(4);
    expect(String(sentMessages(1).at(-1)?.content)).toContain('$.people: expected number, got "four"');
  });

  it('builds a schema where optional fields may be null, and reserves "usage"', () => {
    const schema = extractionSchema(parameterExtractorNode.configSchema.parse(extractor));
    expect(checkJsonSchema({ city: 'Lisbon', people: 2, outside: null }, schema)).toEqual([]);
    expect(checkJsonSchema({ people: 2.5, outside: 'yes' }, schema)).toEqual([
      { path: '$.city', message: 'is required' },
      { path: '$.outside', message: 'expected boolean or null, got "yes"' },
    ]);
    const bad = parameterExtractorNode.configSchema.safeParse({
      text: 't',
      parameters: [{ name: 'usage', type: 'string', description: 'd' }],
    });
    expect(bad.success).toBe(false);
  });
});
