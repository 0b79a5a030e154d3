export const connector = { title: 'No default export' };
