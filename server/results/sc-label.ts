/**
 * The label burned into the key-slice picture: the SR's disclaimer in ASCII (the bitmap font has
 * no em dash, and a picture should say it the same way on every display).
 */
export const SC_LABEL = 'AI research result - not for diagnosis';
