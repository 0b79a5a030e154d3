/**
 * The recipe builder: a trigger, then steps (actions, if, foreach, stop) and on-error steps, each
 * with a generated form; datapills from the trigger and earlier steps; save (the API's problems
 * shown at their fields), start and stop, and the webhook URL of webhook triggers.
 */
import { type FormEvent, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import type { Problem } from '../api/problems';
import type { Field, Recipe, RecipeInput, RecipeTrigger, TriggerOperation } from '../api/types';
import { ErrorSummary, errorMap } from '../components/ErrorSummary';
import {
  Alert,
  Button,
  ButtonLink,
  CopyButton,
  ErrorMessage,
  Loading,
  PageHeader,
  StatusBadge,
} from '../components/ui';
import { FormEnvContext } from '../forms/env';
import { OperationForm } from '../forms/OperationForm';
import { clearFieldCache, needsConnection } from '../forms/operation';
import { SelectField, TextField } from '../forms/SimpleFields';
import { setFlash, takeFlash } from '../lib/flash';
import { useApi, useAsync, useTitle } from '../lib/hooks';
import { href, navigate } from '../lib/router';
import { type Builder, BuilderContext } from './builder';
import { CatalogContext, useCatalog, useCatalogState } from './connectors';
import { allIds, draftOf, emptyRecipe, pillsByStep, recipeBody, savedMessage } from './model';
import { StepList } from './StepList';

export function RecipeBuilderPage({ id }: { id?: string }) {
  const api = useApi();
  const connectors = useAsync(() => api.connectors(), [api]);
  const connections = useAsync(() => api.connections({ limit: 1000 }), [api]);
  const saved = useAsync<Recipe | undefined>(() => (id ? api.recipe(id) : Promise.resolve(undefined)), [api, id]);
  const catalog = useCatalogState(connections.data?.items);
  const [draft, setDraft] = useState<RecipeInput>(emptyRecipe);
  const [outputs, setOutputs] = useState<Map<string, readonly Field[] | undefined>>(new Map());
  const [problems, setProblems] = useState<Problem[]>([]);
  const [failure, setFailure] = useState<unknown>();
  const [message, setMessage] = useState(takeFlash);
  const [busy, setBusy] = useState<'' | 'save' | 'start' | 'stop' | 'delete'>('');
  /** Bumped by "Reload fields": the forms mount again and resolve their fields afresh. */
  const [generation, setGeneration] = useState(0);
  const loadedId = useRef<string | undefined>(undefined);
  const recipe = saved.data;
  useTitle(id ? (recipe?.name ?? 'Recipe') : 'New recipe');

  useEffect(() => {
    if (recipe && loadedId.current !== recipe.updatedAt) {
      loadedId.current = recipe.updatedAt;
      setDraft(draftOf(recipe));
    }
  }, [recipe]);

  const reportOutput = useCallback((stepId: string, fields: readonly Field[] | undefined) => {
    setOutputs((m) => {
      if (m.has(stepId) && JSON.stringify(m.get(stepId)) === JSON.stringify(fields)) return m;
      const next = new Map(m);
      next.set(stepId, fields);
      return next;
    });
  }, []);

  const triggerDetail = catalog.detail(draft.trigger.connector || undefined);
  const triggerOp = triggerDetail?.triggers.find((t) => t.name === draft.trigger.trigger);
  const pills = useMemo(
    () => pillsByStep(draft, outputs, triggerOp?.title ?? draft.trigger.trigger),
    [draft, outputs, triggerOp?.title],
  );
  const draftRef = useRef(draft);
  draftRef.current = draft;
  const builder: Builder = useMemo(
    () => ({
      pills,
      takenIds: () => allIds(draftRef.current),
      reportOutput,
      connectors: connectors.data?.items ?? [],
    }),
    [pills, reportOutput, connectors.data],
  );
  const errors = useMemo(() => errorMap(problems), [problems]);
  const running = recipe?.status === 'running';

  const save = async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy('save');
    setFailure(undefined);
    setMessage(undefined);
    try {
      const body = recipeBody(draft);
      if (id) {
        const updated = await api.replaceRecipe(id, body);
        saved.setData(updated);
        setProblems([]);
        setMessage(savedMessage('Recipe saved', updated.warnings));
      } else {
        const created = await api.createRecipe(body);
        setFlash(savedMessage(`Recipe "${created.name}" saved`, created.warnings));
        navigate(href('recipes', created.id));
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) setProblems(error.problems);
      else setFailure(error);
    } finally {
      setBusy('');
    }
  };

  const switchState = async (to: 'start' | 'stop') => {
    if (!id) return;
    setBusy(to);
    setFailure(undefined);
    setMessage(undefined);
    try {
      const updated = to === 'start' ? await api.startRecipe(id) : await api.stopRecipe(id);
      saved.setData(updated);
      setProblems([]);
      setMessage(to === 'start' ? 'Recipe started' : 'Recipe stopped');
    } catch (error) {
      if (error instanceof ApiError && error.problems.some((p) => p.path)) setProblems(error.problems);
      setFailure(error);
    } finally {
      setBusy('');
    }
  };

  const remove = async () => {
    if (!id || !window.confirm(`Delete the recipe "${recipe?.name ?? id}" and its jobs?`)) return;
    setBusy('delete');
    try {
      await api.deleteRecipe(id);
      setFlash('Recipe deleted');
      navigate(href('recipes'));
    } catch (error) {
      setFailure(error);
      setBusy('');
    }
  };

  const loading = (id && saved.loading && !recipe) || (connectors.loading && !connectors.data);
  return (
    <CatalogContext.Provider value={catalog}>
      <BuilderContext.Provider value={builder}>
        <FormEnvContext.Provider value={{ errors }}>
          <p className="breadcrumb">
            <a href={href('recipes')}>Recipes</a> <span aria-hidden="true">/</span>
          </p>
          <PageHeader
            title={id ? (recipe?.name ?? 'Recipe') : 'New recipe'}
            actions={
              id && recipe ? (
                <>
                  <StatusBadge status={recipe.status} />
                  {running ? (
                    <Button onClick={() => switchState('stop')} busy={busy === 'stop'}>
                      Stop
                    </Button>
                  ) : (
                    <Button variant="primary" onClick={() => switchState('start')} busy={busy === 'start'}>
                      Start
                    </Button>
                  )}
                  <ButtonLink href={`${href('jobs')}?recipeId=${encodeURIComponent(id)}`}>Jobs</ButtonLink>
                </>
              ) : undefined
            }
          />
          <ErrorMessage error={saved.error} title="The recipe could not be loaded" />
          <ErrorMessage error={connectors.error} title="The connectors could not be loaded" />
          {loading && <Loading />}
          {message && <Alert kind="success" title={message} />}
          <ErrorSummary problems={problems} title="The recipe was not saved: fix these problems" />
          {failure !== undefined && !(failure instanceof ApiError && failure.status === 400) && (
            <ErrorMessage error={failure} />
          )}
          {recipe && <WebhookInfo recipe={recipe} trigger={triggerOp} />}
          {running && (
            <Alert kind="info" title="This recipe is running">
              Stop it to change it.
            </Alert>
          )}
          {!loading && (
            <form onSubmit={save} noValidate aria-label="Recipe">
              <fieldset disabled={running} className="plain" key={generation}>
                <div className="card">
                  <div className="grid-2">
                    <TextField
                      path="name"
                      label="Recipe name"
                      required
                      value={draft.name}
                      onChange={(name) => setDraft({ ...draft, name })}
                    />
                    <TextField
                      path="concurrency"
                      label="Concurrency"
                      type="number"
                      hint="How many jobs of this recipe may run at once (1: one at a time, in order)."
                      value={String(draft.concurrency ?? 1)}
                      onChange={(v) => setDraft({ ...draft, concurrency: v === '' ? undefined : Number(v) })}
                    />
                  </div>
                </div>
                <section className="card" aria-labelledby="trigger-heading">
                  <h2 id="trigger-heading">Trigger</h2>
                  <TriggerEditor
                    trigger={draft.trigger}
                    onChange={(trigger) => setDraft((d) => ({ ...d, trigger }))}
                    onOutputFields={(fields) => reportOutput('trigger', fields)}
                  />
                </section>
                <section className="card" aria-labelledby="steps-heading">
                  <h2 id="steps-heading">Steps</h2>
                  <StepList
                    steps={draft.steps}
                    onChange={(steps) => setDraft((d) => ({ ...d, steps }))}
                    path="steps"
                    title="Steps"
                  />
                </section>
                <section className="card" aria-labelledby="onerror-heading">
                  <h2 id="onerror-heading">On error</h2>
                  <p className="muted">
                    Steps that run when a step fails; their formulas also see <code>error</code>.
                  </p>
                  <StepList
                    steps={draft.onError ?? []}
                    onChange={(onError) => setDraft((d) => ({ ...d, onError }))}
                    path="onError"
                    title="On error"
                  />
                </section>
                <div className="form-actions sticky-actions">
                  <Button type="submit" variant="primary" busy={busy === 'save'}>
                    {id ? 'Save recipe' : 'Create recipe'}
                  </Button>
                  <Button
                    variant="ghost"
                    onClick={() => {
                      clearFieldCache();
                      setOutputs(new Map());
                      setGeneration((g) => g + 1);
                    }}
                  >
                    Reload fields
                  </Button>
                  {id && (
                    <Button variant="danger" onClick={remove} busy={busy === 'delete'}>
                      Delete
                    </Button>
                  )}
                </div>
              </fieldset>
            </form>
          )}
        </FormEnvContext.Provider>
      </BuilderContext.Provider>
    </CatalogContext.Provider>
  );
}

function WebhookInfo({ recipe, trigger }: { recipe: Recipe; trigger?: TriggerOperation }) {
  if (!recipe.webhookUrl) return null;
  return (
    <section className="card webhook" aria-labelledby="webhook-heading">
      <h2 className="h-small" id="webhook-heading">
        Webhook URL
      </h2>
      <p className="muted small">
        {trigger?.kind === 'dynamic_webhook'
          ? 'Registered with the application when the recipe starts.'
          : 'Send events to this address (POST) while the recipe runs.'}
      </p>
      <div className="inline">
        <code className="url" data-testid="webhook-url">
          {recipe.webhookUrl}
        </code>
        <CopyButton text={recipe.webhookUrl} label="Copy URL" />
      </div>
      {recipe.staticWebhookUrl && (
        <p className="small">
          Shared connector URL: <code>{recipe.staticWebhookUrl}</code>
        </p>
      )}
    </section>
  );
}

function TriggerEditor({
  trigger,
  onChange,
  onOutputFields,
}: {
  trigger: RecipeTrigger;
  onChange: (t: RecipeTrigger) => void;
  onOutputFields: (fields: readonly Field[] | undefined) => void;
}) {
  const builder = useContext(BuilderContext).connectors;
  const catalog = useCatalog();
  const detail = catalog.detail(trigger.connector || undefined);
  const op = detail?.triggers.find((t) => t.name === trigger.trigger);
  const connections = catalog.connectionsOf(trigger.connector);
  const polling = op?.kind === 'polling' || op?.kind === 'hybrid';
  return (
    <>
      <div className="grid-3">
        <SelectField
          path="trigger.connector"
          label="Connector"
          required
          value={trigger.connector}
          options={builder
            .filter((c) => c.triggers.length > 0)
            .map((c) => ({ value: c.name, label: c.title ?? c.name }))}
          onChange={(connector) => {
            const own = catalog.connectionsOf(connector);
            onChange({ connector, trigger: '', input: {}, ...(own.length === 1 ? { connection: own[0].name } : {}) });
          }}
        />
        <SelectField
          path="trigger.trigger"
          label="Trigger"
          required
          value={trigger.trigger}
          disabled={!detail}
          placeholder={trigger.connector ? '— Choose a trigger —' : 'Choose a connector first'}
          options={(detail?.triggers ?? []).map((t) => ({ value: t.name, label: t.title }))}
          onChange={(name) => onChange({ ...trigger, trigger: name, input: {} })}
        />
        {(!detail || needsConnection(detail)) && (
          <SelectField
            path="trigger.connection"
            label="Connection"
            required
            value={trigger.connection ?? ''}
            disabled={!trigger.connector}
            placeholder={connections.length ? '— Choose a connection —' : 'No connection for this connector'}
            options={connections.map((c) => ({ value: c.name, label: c.name }))}
            onChange={(connection) => onChange({ ...trigger, connection: connection || undefined })}
          />
        )}
      </div>
      {op && (
        <p className="muted small">
          {op.kind === 'polling' && 'Polls the application for new events.'}
          {op.kind === 'hybrid' && 'Receives webhooks and polls.'}
          {op.kind === 'static_webhook' && 'Receives webhooks at the recipe’s URL (shown once saved).'}
          {op.kind === 'dynamic_webhook' && 'Registers the recipe’s webhook URL with the application when started.'}
        </p>
      )}
      {polling && (
        <TextField
          path="trigger.pollIntervalSeconds"
          label="Poll every (seconds)"
          type="number"
          hint="Default 300, at least 1."
          value={trigger.pollIntervalSeconds === undefined ? '' : String(trigger.pollIntervalSeconds)}
          placeholder="300"
          onChange={(v) => onChange({ ...trigger, pollIntervalSeconds: v === '' ? undefined : Number(v) })}
        />
      )}
      {detail && op && (
        <OperationForm
          connector={detail}
          kind="trigger"
          name={op.name}
          connection={trigger.connection}
          value={trigger.input ?? {}}
          onChange={(input) => onChange({ ...trigger, input })}
          path="trigger.input"
          onOutputFields={onOutputFields}
        />
      )}
    </>
  );
}
