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

export interface RosterParty {
  partyId: string;
  partyNumber: number;
  plate: string;
  online: boolean;
}

export interface CallRoster {
  caseId: string;
  status: string;
  parties: RosterParty[];
}

export interface PeerChanged { caseId: string; partyId: string; online: boolean }
export interface QueuePosition { caseId: string; position: number; expectedWaitSeconds: number }
export interface CaseChanged { caseId: string; status: string }
export type InstructionKind = "move-cars" | "photo" | "audio-only" | "video" | "end-call";
export interface Instruction { caseId: string; kind: InstructionKind; angle: string | null }
export interface PartyMoved { caseId: string; partyId: string }
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
}

export interface Insurer { code: string; nameZh: string; nameEn: string }

export interface ReportResponse {
  caseId: string;
  caseNumber: string;
  status: string;
  partyId: string;
  partyNumber: number;
  partyToken: string;
  joinCode: string | null;
  escalated: boolean;
  advice: string | null;
}

export interface JoinResponse {
  caseId: string;
  caseNumber: string;
  status: string;
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
  phone: string;
  liability: string | null;
  joinedAt: string;
}

export interface CaseView {
  id: string;
  caseNumber: string;
  status: string;
  joinCode: string | null;
  expectedParties: number;
  accidentTime: string;
  location: { latitude: number | null; longitude: number | null; address: string | null };
  escalationReason: string | null;
  officerId: string | null;
  parties: PartyView[];
}

export interface SignInResponse {
  token: string;
  expiresAt: string;
  officer: { id: string; username: string; displayName: string; role: string };
}

export interface IceServersResponse { iceServers: RTCIceServer[]; ttlSeconds: number }

export interface LiabilityScenario { code: string; nameZh: string; nameEn: string; atFault: string; others: string }
export interface ClaimAcknowledged { caseId: string; insurerCode: string; claimReportNumber: string }
