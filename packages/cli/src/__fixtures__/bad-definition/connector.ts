export default {
  title: 42,
  actions: {
    create_contact: { execute: 'not a function', inputFields: [{ type: 'integer' }] },
  },
  pickLists: { colors: [['Red', 'red']] },
};
