// Types of docs/signalling.md and docs/api.md: what crosses the wire between the pages and the server.

export type SignalType = "offer" | "answer" | "candidate" | "hangup";

export interface SessionDescription {
  type: "offer" | "answer" | "pranswer" | "rollback";
  sdp: string | null;
}

export interface IceCandidate {
  candidate: string | null;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
  usernameFragment: string | null;
}

export interface OutgoingSignal {
  caseId: string;
  toPartyId: string | null;
  type: SignalType;
  description: SessionDescription | null;
  candidate: IceCandidate | null;
}

export interface IncomingSignal {
  caseId: string;
  fromPartyId: string | null;
  type: SignalType;
  description: SessionDescription | null;
  candidate: IceCandidate | null;
}

/** A case's state, as the server's CaseStatus names it (Cases/CaseModels.cs; moves in Cases/CaseStateMachine.cs). */
export type CaseStatus =
  | "reported" | "queued" | "in_call" | "vehicles_moved" | "liability_determined" | "awaiting_signatures"
  | "closed" | "escalated" | "abandoned";

export interface RosterParty {
  partyId: string;
  partyNumber: number;
  plate: string;
  online: boolean;
}

export interface CallRoster {
  caseId: string;
  status: CaseStatus;
  parties: RosterParty[];
}

export interface PeerChanged { caseId: string; partyId: string; online: boolean }
export interface QueuePosition { caseId: string; position: number; expectedWaitSeconds: number }
export interface CaseChanged { caseId: string; status: CaseStatus }
export type InstructionKind = "move-cars" | "photo" | "audio-only" | "video" | "details" | "end-call";
export interface Instruction { caseId: string; kind: InstructionKind; angle: string | null }
export interface PartyMoved { caseId: string; partyId: string }
/** A party left the call on its phone (`left`) or asks to be called back (`call-back`). */
export interface CallNotice { caseId: string; partyId: string; kind: "left" | "call-back" }
export interface EvidenceAdded { caseId: string; evidenceId: string; kind: string; partyId: string | null }

export const Angles = ["both-cars", "collision-point", "plates", "panorama", "licence", "registration"] as const;
export type Angle = (typeof Angles)[number];

export const VehicleTypes = ["small-car", "large-car", "motorcycle", "trailer", "other"] as const;

export const Liabilities = ["full", "main", "equal", "minor", "none", "undetermined"] as const;

export interface QueueItem {
  caseId: string;
  caseNumber: string;
  reportedAt: string;
  waitingSeconds: number;
  partiesJoined: number;
  expectedParties: number;
  address: string | null;
  /** Case numbers this waiting case may be a duplicate of (a separate report of one accident). */
  possibleDuplicateOf?: string[] | null;
}

export interface Insurer { code: string; nameZh: string; nameEn: string; hotline?: string | null }

export interface ReportResponse {
  caseId: string;
  caseNumber: string;
  status: CaseStatus;
  partyId: string;
  partyNumber: number;
  partyToken: string;
  joinCode: string | null;
  escalated: boolean;
  advice: string | null;
  joinSecret?: string | null;
  possibleDuplicate?: boolean;
}

/** GET /api/cases/{id}/join: the code, link secret and who joined (phones of others masked). */
export interface JoinInfo {
  caseId: string;
  joinCode: string | null;
  joinSecret: string | null;
  locked: boolean;
  expectedParties: number;
  parties: { partyId: string; partyNumber: number; plate: string; phone: string; joinedAt: string }[];
}

export interface DuplicateQuestion { linkId: string; plate: string; askedAt: string }

export interface DuplicateQuestionMessage { caseId: string; linkId: string; plate: string }

export interface MergedMessage { fromCaseId: string; caseId: string; caseNumber: string; partyId: string; partyNumber: number }

export interface MyCase { caseId: string; caseNumber: string; status: CaseStatus; partyId: string; partyNumber: number; joinCode: string | null }

/** A possible duplicate beside a case, for the officer (GET /api/cases/{id}/duplicates). */
export interface DuplicateView {
  linkId: string;
  status: string;
  thisCaseIsTheNewReport: boolean;
  otherCaseId: string;
  otherCaseNumber: string;
  otherStatus: CaseStatus;
  otherReportedAt: string;
  otherAccidentTime: string;
  otherAddress: string | null;
  otherExpectedParties: number;
  otherPlates: string[];
  reporterPlate: string;
  mergeable: boolean;
  whyNotMergeable: string | null;
}

export interface JoinResponse {
  caseId: string;
  caseNumber: string;
  status: CaseStatus;
  partyId: string;
  partyNumber: number;
  partyToken: string;
}

export interface PartyView {
  id: string;
  partyNumber: number;
  plate: string;
  vehicleType: string;
  insurerCode: string | null;
  policyNumber: string | null;
  phone: string | null;
  liability: string | null;
  joinedAt: string;
  /** Compulsory (交强险) cover from the declared insurer's policy record at the accident time; absent or null when the server sends none. */
  compulsoryInsurance?: "valid" | "expired" | "not_started" | "unknown" | null;
  /** Other insurers' records disagree: another claims cover over overlapping dates, or has cover where the declared insurer has none. */
  compulsoryConflict?: "overlapping_cover" | "other_insurer_cover" | null;
  /** The privacy notice the party agreed to (PIPL): version, language it was read in, when the server received it. */
  consent?: { noticeVersion: string; language: string; at: string } | null;
  /** The name the party gave for the document (only to its officer); null until given. */
  name?: string | null;
}

export interface CaseView {
  id: string;
  caseNumber: string;
  status: CaseStatus;
  joinCode: string | null;
  expectedParties: number;
  accidentTime: string;
  location: { latitude: number | null; longitude: number | null; address: string | null };
  escalationReason: string | null;
  officerId: string | null;
  parties: PartyView[];
  /** driver_left, no_answer, or expired (nobody answered in time); null unless abandoned. */
  abandonReason?: string | null;
  /** The officer's liability decision: the scenario code (GET /api/liability/scenarios) and the facts as written. */
  liabilityScenario?: string | null;
  facts?: string | null;
  /** When the case was reported, answered (accepted), the cars moved (the officer's step), closed, escalated. */
  times?: CaseTimes;
}

export interface CaseTimes { reportedAt: string; answeredAt: string | null; vehiclesMovedAt: string | null; closedAt: string | null; escalatedAt: string | null }

/** An evidence item as GET /api/cases/{id}/evidence lists it; its bytes at GET /api/evidence/{id}/content (with the token). */
export interface EvidenceItem {
  id: string; caseId: string; partyId: string | null; kind: string; angle: string | null; contentType: string; size: number;
  width: number | null; height: number | null; sha256: string; capturedBy: string; capturedAt: string;
}

/** To a party: a canned phrase by key (phrase.<key> in i18n). */
export interface PhraseMessage { caseId: string; partyId: string; key: string }
/** To the officer: a party gave its details or signed. */
export interface PartyProgress { caseId: string; partyId: string; step: "details" | "signed" }
/** The canned phrases (server: Signalling/PhraseEndpoints.cs CannedPhrases.Keys). */
export const PhraseKeys = ["hazard-lights", "move-aside", "photo-damage", "please-wait", "stay-safe", "details", "check-phone", "thanks"] as const;

export interface SignInResponse {
  token: string;
  expiresAt: string;
  officer: { id: string; username: string; displayName: string; role: string };
}

export interface IceServersResponse { iceServers: RTCIceServer[]; ttlSeconds: number }

export interface LiabilityScenario { code: string; nameZh: string; nameEn: string; atFault: string; others: string }
export interface ClaimAcknowledged { caseId: string; insurerCode: string; claimReportNumber: string }
/** GET /api/cases/{id}/claims as a party sees it: its own claim, with the 报案号 once the insurer acknowledged. */
export interface PartyClaim { claimId: string; caseId: string; partyId: string; insurerCode: string; status: string; claimReportNumber: string | null; acknowledgedAt: string | null }

export interface FraudSignal { code: string; description: string; facts?: Record<string, string> | null }

export const EscalationReasons = ["injuries", "vehicles_not_drivable", "hazardous_goods", "dispute", "poor_visibility", "other"] as const;
export const AbandonReasons = ["driver_left", "no_answer"] as const;

/** GET /api/kpis (Kpis/KpiCalculator.cs). Durations in seconds from the report; null when nothing to measure. */
export interface DurationStats { count: number; medianSeconds: number | null; p90Seconds: number | null; shareWithinTarget: number | null; targetSeconds: number }
export interface KpiBucket { start: string; reported: number; closed: number; medianAnswerSeconds: number | null }
export interface KpiBoard {
  dayStart: string;
  now: string;
  answer: DurationStats;
  move: DurationStats;
  close: DurationStats;
  casesReported: number;
  escalated: number;
  abandoned: number;
  abandonmentRate: number | null;
  /** Abandoned today because nobody answered in time. */
  expired: number;
  queueLength: number;
  officersOnDuty: number;
  officersBusy: number;
  satisfactionAverage: number | null;
  satisfactionCount: number;
  today: KpiBucket[];
  week: KpiBucket[];
}

/** GET /api/insurers/stats: claim delivery per insurer over the last day. */
export interface InsurerDelivery {
  insurerCode: string;
  published: number;
  delivered: number;
  acknowledged: number;
  parked: number;
  overdue: number;
  republished: number;
  medianSecondsToDeliver: number | null;
  medianSecondsToAcknowledge: number | null;
}

export interface CaseDocumentView {
  id: string; number: string; version: number; status: string; issuedAt: string; verificationCode: string; verifyUrl: string;
  /** Each party on the version shown: when it signed, or its objection instead (another party's text is left out for a party). */
  signatures?: SignatureView[];
}
export interface ObjectionView { reasons: string[]; text: string | null; at: string }
export interface SignatureView { partyId: string; partyNumber: number; signedAt: string | null; objection?: ObjectionView | null }
/** Pushed to the case's officer: a party disagrees with the document instead of signing it. */
export interface PartyObjected { caseId: string; partyId: string; partyNumber: number; version: number; reasons: string[]; text: string | null }
/** GET /api/party/session: whose a party token is, and until when the page may keep it. */
export interface PartySession { caseId: string; caseNumber: string; partyId: string; partyNumber: number; status: CaseStatus; keepUntil: string }

// ---------- insurer desk (docs/insurer-desk.md) ----------

export interface MeResponse { username: string; role: string; insurerCode?: string | null }

export interface InsurerClaimItem {
  claimId: string;
  caseId: string;
  caseNumber: string;
  status: string;
  createdAt: string;
  sentAt: string | null;
  claimReportNumber: string | null;
  acknowledgedAt: string | null;
  insuredPlate: string;
  liability: string;
}

export interface ClaimSubmitted {
  claimId: string;
  caseId: string;
  caseNumber: string;
  insurerCode: string;
  accidentTime: string;
  reportedAt: string;
  closedAt: string;
  location: { latitude: number | null; longitude: number | null; address: string | null };
  insured: { partyNumber: number; plate: string; vehicleType: string; policyNumber: string | null; phone: string; liability: string; name?: string | null; idNumber?: string | null };
  otherParties: Array<{ partyNumber: number; plate: string; vehicleType: string; insurerCode: string | null; liability: string }>;
  weather?: string | null;
  liabilityScenario?: string | null;
  facts?: string | null;
  document?: { number: string; version: number; verificationCode: string; verifyUrl: string; sha256: string } | null;
  evidence?: Array<{ id: string; kind: string; angle: string | null; partyNumber: number | null; contentType: string; sha256: string; capturedAt: string; url: string; urlExpiresAt: string }>;
  fraudSignals?: FraudSignal[];
}

export interface InsurerClaimDetail { claim: ClaimSubmitted; claimReportNumber: string | null; acknowledgedAt: string | null }
