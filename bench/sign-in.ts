/** Signs the bench's operator in (first sign-in forces a password change) and returns the session cookie. */
export async function signInOperator(base: string, initialPassword: string, chosenPassword: string): Promise<string> {
  const origin = { origin: base, 'content-type': 'application/json' };
  const login = async (password: string) => {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: origin, body: JSON.stringify({ username: 'operator', password }) });
    if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
    return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  };
  const cookie = await login(initialPassword);
  const change = await fetch(`${base}/api/auth/password`, {
    method: 'POST',
    headers: { ...origin, cookie },
    body: JSON.stringify({ currentPassword: initialPassword, newPassword: chosenPassword }),
  });
  if (change.status !== 204) throw new Error(`password change: ${change.status} ${await change.text()}`);
  return login(chosenPassword);
}
