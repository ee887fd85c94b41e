/** What a username may be: the same rule as ADMIN_USERNAME and POST /api/auth/users. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;
