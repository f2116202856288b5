// One blank Deal for tests to fill in: every field core reads, empty, so a test names only what it is about.
import type { Deal } from "../../core/types.js";

export const blankDeal = (over: Partial<Deal> = {}): Deal => ({
  index: 0,
  sheetRow: 2,
  id: "",
  name: "",
  stageRaw: "",
  stage: -1,
  value: null,
  owner: "",
  created: null,
  closeDate: null,
  closedOn: null,
  stageEntered: null,
  lastActivity: null,
  nextStep: "",
  nextStepDate: null,
  firstContact: null,
  need: "",
  budget: "",
  authority: "",
  lossReason: "",
  categories: {},
  ...over,
});
