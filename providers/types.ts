/**
 * The provider interface before sessions (temporary): only the Kubernetes provider still
 * implements it, through the adapter in providers/kubernetes/_legacy.ts, until it is converted to
 * the session contract (core/provider.ts). Delete this file with the adapter.
 *
 * @module
 */
import type {
  Collected as CoreCollected,
  Emitted,
  JobHandle,
  JobState,
  ProviderContext,
} from "../core/provider.ts";
import type { SettingDecl, SettingDecls, Settings } from "../core/settings.ts";
import type { Batch } from "../core/types.ts";

export type { Emitted, JobHandle, JobState, ProviderContext, Settings };

/** What collect() gathered, with the exit codes the old interface reported (unused by the driver). */
export interface Collected extends CoreCollected {
  exitCodes?: (number | null)[];
}

type ListForm<D> = D extends SettingDecl ? Omit<D, "validate"> & {
    key: string;
    env: readonly string[];
    validate?(v: unknown): string | undefined;
  }
  : never;
/** A setting in the old list form: a declaration with its key. */
export type SettingSpec = ListForm<SettingDecl>;

/** The old provider interface: methods take the context; per-run state is the provider's problem. */
export interface Provider<H extends JobHandle = JobHandle> {
  readonly name: string;
  readonly summary: string;
  readonly settings: readonly SettingSpec[] | SettingDecls;
  validate?(ctx: ProviderContext): Promise<void>;
  emit(batch: Batch, ctx: ProviderContext): Promise<Emitted>;
  submit(batch: Batch, emitted: Emitted, ctx: ProviderContext): Promise<H>;
  poll(handle: H): Promise<JobState>;
  lines(handle: H): AsyncIterable<string>;
  collect(handle: H): Promise<Collected>;
  cancel(handle: H, reason: string): Promise<void>;
  cleanup?(ctx: ProviderContext): Promise<void>;
}
