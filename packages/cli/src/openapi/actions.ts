/**
 * Operations → action plans: a name (from `operationId`, else method and path), a tag, input
 * fields from parameters and the request body, output fields from the 2xx response, and how the
 * input becomes the request (which field goes to the path, query, headers, cookies or body).
 */
import type { FieldNode, SchemaFields } from './fields.js';
import type { ApiOperation, HttpMethod, ParameterLocation } from './model.js';
import { brief, humanize, NameSet, snake } from './names.js';
import type { SchemaView } from './schema-view.js';

/** A field of the input and where its value goes (`wire`: the parameter or property name). */
export interface Binding {
  field: string;
  wire: string;
}

export interface ActionPlan {
  name: string;
  tag: string;
  title: string;
  description?: string;
  deprecated: boolean;
  method: HttpMethod;
  /** The path relative to the base URL, `{x}` naming the field that fills it. */
  path: string;
  pathFields: Binding[];
  query: Binding[];
  headers: Binding[];
  cookies: Binding[];
  /** Body properties each from a field, or the whole body from one field. */
  body?: { format: 'json' | 'form' | 'multipart' | 'raw'; contentType: string } & (
    | { fields: Binding[] }
    | { whole: string }
  );
  inputFields: FieldNode[];
  /** `object`: the answer is the output; `items`/`value`: wrapped under that key. */
  wrap: 'object' | 'items' | 'value';
  outputFields?: FieldNode[] | { definition: string };
  rawResponse: boolean;
  operation: ApiOperation;
}

const DEFAULT_TAG = 'general';

function actionName(op: ApiOperation): string {
  if (op.operationId) return snake(op.operationId);
  const path = op.path.replace(/\{([^}]+)\}/g, 'by_$1');
  return snake(`${op.method}_${path}`);
}

function titleOf(op: ApiOperation, name: string): string {
  const summary = brief(op.summary, 100)?.replace(/\.$/, '');
  return summary ?? humanize(name);
}

export class ActionPlanner {
  private readonly names = new NameSet();

  constructor(private readonly fields: SchemaFields) {}

  plan(op: ApiOperation): ActionPlan {
    const name = this.names.claim(actionName(op));
    const taken = new NameSet();
    const inputFields: FieldNode[] = [];
    const where: Record<ParameterLocation, Binding[]> = { path: [], query: [], header: [], cookie: [] };
    for (const p of op.parameters) {
      const field = taken.claim(taken.has(p.name) ? `${p.name}_${p.in}` : p.name);
      inputFields.push(this.fields.inputField(field, this.fields.inputView(p.schema), !p.required, 0, p.description));
      where[p.in].push({ field, wire: p.name });
    }
    // Path placeholders the spec forgot to declare still need a value.
    for (const m of op.path.matchAll(/\{([^}]+)\}/g)) {
      if (where.path.some((b) => b.wire === m[1])) continue;
      const field = taken.claim(m[1]);
      inputFields.push({ name: field });
      where.path.push({ field, wire: m[1] });
    }
    const body = this.body(op, taken, inputFields);
    const output = this.output(op);
    return {
      name,
      tag: op.tags[0] ?? DEFAULT_TAG,
      title: titleOf(op, name),
      description: brief(op.description && op.description !== op.summary ? op.description : undefined, 300),
      deprecated: op.deprecated,
      method: op.method,
      path: op.path,
      pathFields: where.path,
      query: where.query,
      headers: where.header,
      cookies: where.cookie,
      body,
      inputFields,
      ...output,
      rawResponse: op.response.kind === 'raw',
      operation: op,
    };
  }

  private body(op: ApiOperation, taken: NameSet, inputFields: FieldNode[]): ActionPlan['body'] {
    if (!op.body) return undefined;
    const { format, contentType, required, schema, description } = op.body;
    const view = this.fields.inputView(schema);
    const spread =
      format !== 'raw' &&
      view.type === 'object' &&
      view.properties.length > 0 &&
      view.properties.every(([p]) => !taken.has(p));
    if (spread) {
      const fields = view.properties.map(([p]) => ({ field: taken.claim(p), wire: p }));
      for (const [p, s] of view.properties) {
        inputFields.push(this.fields.inputField(p, this.fields.inputView(s), !required || !view.required.has(p)));
      }
      return { format, contentType, fields };
    }
    const field = taken.claim('body');
    const node =
      format === 'raw'
        ? ({ name: field, controlType: 'text-area', ...(required ? {} : { optional: true }) } satisfies FieldNode)
        : this.fields.inputField(field, bodyView(view), !required, 0, description);
    if (description && !node.hint) node.hint = brief(description);
    inputFields.push(node);
    return { format, contentType, whole: field };
  }

  private output(op: ApiOperation): Pick<ActionPlan, 'wrap' | 'outputFields'> {
    const response = op.response;
    if (response.kind === 'none') return { wrap: 'object' };
    if (response.kind === 'raw') return { wrap: 'value', outputFields: [{ name: 'value' }] };
    const view = this.fields.view(response.schema);
    if (view.type === 'object') {
      const properties = this.fields.outputObject(view);
      return { wrap: 'object', outputFields: properties };
    }
    if (view.type === 'array') {
      const [items] = this.fields.outputProperties({
        ...view,
        type: 'object',
        properties: [['items', response.schema]],
      });
      return { wrap: 'items', outputFields: [items] };
    }
    if (view.type === 'any') return { wrap: 'object' };
    const [value] = this.fields.outputProperties({ ...view, type: 'object', properties: [['value', response.schema]] });
    return { wrap: 'value', outputFields: [value] };
  }
}

/** A body of unknown shape is still an object for a JSON request. */
function bodyView(view: SchemaView): SchemaView {
  return view.type === 'any' ? { ...view, type: 'object' } : view;
}
