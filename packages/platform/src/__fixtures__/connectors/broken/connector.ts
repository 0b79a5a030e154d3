export default { title: 'Broken', actions: { a: { execute: 42 } } };
