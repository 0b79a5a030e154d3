export const label = (text: string) => `note: ${text}`;
