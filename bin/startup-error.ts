/** A start-up problem the operator can fix, told in one line without a stack. */
export class StartupError extends Error {}
