import { deleteCredentials, readCredentials, type Credentials } from '../../config/index.ts';
import type { CommandContext } from '../commandContext.ts';
import { parseFlags } from '../parseFlags.ts';
import { text } from '../text.ts';

/** `porten logout`: deletes the stored credential (the node stays approved on the hub until an operator revokes it). */
export async function logout(ctx: CommandContext): Promise<number> {
  parseFlags('logout', ctx.argv, {});
  const { home } = ctx.config();
  let creds: Credentials | undefined;
  try {
    creds = readCredentials(home);
  } catch {
    creds = undefined; // unreadable or not a credential: delete it all the same
  }
  if (!deleteCredentials(home)) {
    ctx.out(text.notLoggedIn());
    return 0;
  }
  ctx.out(creds ? text.loggedOut(creds.node_id, creds.hub_url) : text.deletedUnreadable());
  return 0;
}
