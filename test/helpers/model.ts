// Fixtures write model names by hand, as a registry spells them; this is the one place tests turn
// such a name into the `ModelName` the registry makes in production (no look-up, no casts at
// every site).
import type { ModelName } from '../../src/model/index.js';

export function modelName(name: string): ModelName {
  return name as ModelName;
}
