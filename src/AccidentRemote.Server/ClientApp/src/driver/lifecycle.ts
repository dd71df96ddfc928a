// Resuming a case after a reload, and starting over (every section back to a blank page).
import { api, ApiError, setToken } from "../lib/api";
import type { CaseView } from "../lib/contract";
import { resetClaim, resetRating } from "./afterCase";
import { closePc } from "./call";
import { goStart } from "./callState";
import { enterCase } from "./case";
import { resetInsurerCard } from "./form";
import { dropHub } from "./hubLink";
import { followMerge } from "./joining";
import { stopMedia } from "./media";
import { saveSession, state, type Session } from "./state";

export async function resume(s: Session): Promise<void> {
  setToken(s.token);
  try {
    const c = await api<CaseView>("GET", `/api/cases/${s.caseId}`);
    await enterCase({ ...s, joinCode: c.joinCode ?? s.joinCode, caseNumber: c.caseNumber }, c.status);
  } catch (e) {
    // Merged into the other driver's case while this page was away: the token opens that case now.
    if (e instanceof ApiError && e.status === 404 && await followMerge(s)) return;
    if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) {
      saveSession(null);
      setToken(null);
      goStart();
    } else {
      await enterCase(s, "reported"); // offline: show what we know, the banner tells the rest
    }
  }
}

export function startOver(): void {
  closePc();
  stopMedia();
  state.session = null;
  state.inCall = false;
  saveSession(null);
  setToken(null);
  dropHub(true);
  history.replaceState(null, "", "/");
  resetRating();
  resetClaim();
  resetInsurerCard();
  goStart();
}
