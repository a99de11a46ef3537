/** A request the caller can fix: the API answers it with code BAD_USER_INPUT and this message. */
export class UserInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserInputError';
  }
}
