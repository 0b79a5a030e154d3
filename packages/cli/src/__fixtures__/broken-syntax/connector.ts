import { defineConnector } from '@weft/sdk';

export default defineConnector({
  title: 'Broken',
  actions: {
    a: { execute: (ctx) => { return ctx.input. } },
  },
});
