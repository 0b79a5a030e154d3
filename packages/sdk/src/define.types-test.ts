// Compile-time checks of ctx.input inference: this file fails the build if inference regresses.
import { defineAction, defineConnector } from './define.js';
defineConnector({
  title: 'x',
  actions: {
    a: {
      inputFields: [{ name: 'email' }, { name: 'age', type: 'integer', optional: true }, { name: 'tags', type: 'array', of: 'string' }],
      execute: (ctx) => {
        const e: string = ctx.input.email;
        const a: number | undefined = ctx.input.age;
        const t: string[] = ctx.input.tags;
        // @ts-expect-error unknown key
        ctx.input.nope;
        return { e, a, t };
      },
    },
    b: { inputFields: (ctx) => [], execute: (ctx) => ctx.input.anything },
    c: { execute: (ctx) => ctx.input.x },
    d: defineAction({
      inputFields: [{ name: 'age', type: 'integer' }],
      execute: (ctx) => {
        const a: number = ctx.input.age;
        // @ts-expect-error unknown key
        ctx.input.nope;
        return a;
      },
    }),
  },
});
