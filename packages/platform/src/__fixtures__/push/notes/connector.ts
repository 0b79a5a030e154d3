import { defineConnector } from '@weft/sdk';
import { label } from './label.js';

/** A connector pushed through the API (with a local import, bundled in). */
export default defineConnector({
  title: 'Fixture notes',
  actions: {
    add_note: {
      inputFields: [{ name: 'text' }],
      outputFields: [{ name: 'label' }],
      execute: (ctx) => ({ label: label(ctx.input.text) }),
    },
  },
});
