"""`provisioner recover`: repair a stack after `pulumi up` was interrupted (killed, crashed, lost).

What an interrupted update leaves behind, and what this command does about it:

0. A broken state file (file backends): the file:// backend (gocloud's fileblob) writes each
   blob's `<file>.attrs` sidecar in place, before renaming the blob itself into place; a kill
   in between leaves an empty sidecar and every command on the stack fails with "failed to load
   checkpoint: EOF". The sidecar only holds metadata (content type, MD5) and may be absent, and
   the blob is intact (it still holds the previous checkpoint): broken sidecars of the stack's
   files are removed.
1. A stale lock (file backends): the next `pulumi up` refuses to start ("the stack is currently
   locked ... `pulumi cancel`"). Locks whose process is gone on this host are removed with
   `pulumi cancel`; a lock held by a live process, or taken on another host, stops the command.
2. Pending CREATE operations: creates the engine started but never saw finish. The account may
   or may not exist. `pulumi up` ignores them (a warning) and would create the account again
   ("already exists"), and Pulumi's own `pulumi refresh --import-pending-creates URN ID` cannot
   help: in 3.259 it turns the operation into an import that the refresh then drops without
   importing anything, and the engine cannot import a Python dynamic resource at all
   (pulumi/pulumi#16175). So, for each pending create of an account resource:
   - the account is not in the cloud (looked at twice, `--settle` seconds apart, so a request
     still in flight when the process died can land): the create never happened; the pending
     operation is dropped and the next `pulumi up` creates the account;
   - the account exists and is what the interrupted create asked for (same description, type,
     max connections), or the resource has adopt=True: it is written into the state under its
     deterministic id (`cluster:name@host` / `instance:name`) through `pulumi stack export` /
     `pulumi stack import`, without a password: the next `pulumi up` sets the declared (or a new
     generated) password and the declared description and privileges;
   - the account exists but differs: it may be someone else's. It is NOT taken over: the pending
     operation is dropped, the command exits 1, and `pulumi up` will refuse to create over it
     unless the resource says adopt=True (the same rule as for any pre-existing account).
   The edited state goes back with `pulumi stack import`, which drops every pending operation:
   so if a pending create of another resource type is present, nothing is changed and the
   command stops (resolve those first with an interactive `pulumi refresh`).
3. Other pending operations (updates, deletes) and drift: `pulumi refresh` reads those resources
   again (and clears the operations, if `stack import` has not). It is run last, so the state
   then says what the cloud holds.

Then `pulumi up` converges. Nothing here prints or stores a password: the exported state keeps its
secrets encrypted; stack config secrets (cloud credentials) are read into memory only.

The package, one job per module:
- backend.py   the Pulumi CLI and the file backend: running `pulumi`, the project's name, the
               stack's lock files and the broken metadata files a kill leaves behind
- planner.py   what to do with each pending create, from the exported deployment and a lookup
               (pure but for the lookup): the edited deployment and one outcome per operation
- lookup.py    reading the cloud through the providers' public methods, with the stack's config
- command.py   `provisioner recover`: the arguments, and the steps above in order
"""

from __future__ import annotations


class RecoverError(Exception):
    """Stops the command before it changed anything (or says what it had done)."""
