import { useState } from 'react';
import type { Recipe } from '../api/types';
import { ListTable } from '../components/ListTable';
import { Alert, Button, ButtonLink, ErrorMessage, formatTime, PageHeader, StatusBadge } from '../components/ui';
import { takeFlash } from '../lib/flash';
import { useApi, useAsync, useListChange, useTitle } from '../lib/hooks';
import { href } from '../lib/router';

function countSteps(recipe: Recipe): number {
  let n = 0;
  const visit = (steps: Recipe['steps']) => {
    for (const s of steps) {
      n++;
      if ('then' in s) {
        visit(s.then);
        visit(s.else);
      }
      if ('do' in s) visit(s.do);
    }
  };
  visit(recipe.steps);
  return n;
}

export function RecipesPage() {
  useTitle('Recipes');
  const api = useApi();
  const list = useAsync(() => api.recipes({ limit: 1000 }), [api]);
  const [flash] = useState(takeFlash);
  const change = useListChange(list.reload);
  const toggle = (recipe: Recipe) =>
    change.run(recipe.id, () => (recipe.status === 'running' ? api.stopRecipe(recipe.id) : api.startRecipe(recipe.id)));

  return (
    <>
      <PageHeader
        title="Recipes"
        actions={
          <ButtonLink href={href('recipes', 'new')} variant="primary">
            New recipe
          </ButtonLink>
        }
      >
        <p className="muted">A trigger and the steps every event runs through.</p>
      </PageHeader>
      {flash && <Alert kind="success" title={flash} />}
      <ErrorMessage error={list.error} title="The recipes could not be loaded" />
      <ErrorMessage error={change.error} title="The recipe could not be started or stopped" />
      <ListTable
        list={list}
        caption="Recipes"
        columns={['Name', 'Trigger', 'Steps', 'Status', 'Updated']}
        actions
        emptyTitle="No recipes yet"
        empty={<p>Build one: choose a trigger, then add the actions each event should run.</p>}
        row={(r) => (
          <tr key={r.id}>
            <th scope="row">
              <a href={href('recipes', r.id)}>{r.name}</a>
            </th>
            <td>
              <code>
                {r.trigger.connector}.{r.trigger.trigger}
              </code>
            </td>
            <td>{countSteps(r)}</td>
            <td>
              <StatusBadge status={r.status} />
            </td>
            <td>{formatTime(r.updatedAt)}</td>
            <td className="row-actions">
              <Button
                size="small"
                busy={change.busy === r.id}
                onClick={() => toggle(r)}
                aria-label={`${r.status === 'running' ? 'Stop' : 'Start'} ${r.name}`}
              >
                {r.status === 'running' ? 'Stop' : 'Start'}
              </Button>
              <ButtonLink size="small" variant="ghost" href={`${href('jobs')}?recipeId=${encodeURIComponent(r.id)}`}>
                Jobs<span className="visually-hidden"> of {r.name}</span>
              </ButtonLink>
            </td>
          </tr>
        )}
      />
    </>
  );
}
