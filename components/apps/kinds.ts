// How app kinds are named in the UI.
export const KIND_LABEL = { chat: 'Chat', workflow: 'Workflow' } as const;
