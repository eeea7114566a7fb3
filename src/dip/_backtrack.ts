/**
 * The deep image prior's backtracking safeguard as a loop callback, used by
 * {@linkcode fitDip} with its `backtrack` option.
 *
 * What the DIP code does (Ulyanov et al., `denoising.ipynb`; the same lines
 * in the author's `code/denoising.py`), inside the closure that computes a
 * step's loss and gradients, before `optimizer.step()`:
 *
 * - PSNR of this step's output to the noisy image (`psrn_noisy`);
 * - if it fell by more than 5 dB below the last accepted step's, copy the
 *   saved parameters back into the network (`net.parameters()` only: Adam's
 *   moments and the step count are not touched, buffers neither) and return;
 *   `optimizer.step()` then still applies this step's update, computed from
 *   the gradient at the diverged parameters, to the restored ones;
 * - otherwise save this step's parameters (those that produced the output)
 *   and its PSNR as the new reference.
 *
 * It skips the check at the steps its display interval divides
 * (`if i % show_every:`, 1 step in 100, where neither the check nor the save
 * happen); here every step is checked.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { History } from "../core/history.ts";
import type { Callback, CallbackState } from "../core/optimize.ts";

/** Options of the backtracking safeguard. */
export interface BacktrackOptions {
  /** Restore when the PSNR of the fit falls by more than `drop` dB in one step (default 5, the DIP code's). */
  drop?: number;
}

/** What the backtracker needs from fitDip. */
export interface BacktrackConfig {
  /** Threshold in dB. */
  drop: number;
  /** The variables restored (the network's trainable ones). */
  variables: Record<string, tf.Variable>;
  /** The mean squared error of this step's fit (data term of the loss), or null before the first step. */
  fitError: () => tf.Scalar | null;
}

interface BacktrackJson {
  reference: number | null;
}

/**
 * Backtracking after each step t of the loop (which calls it after Adam has
 * applied the step's update Δ_t = θ_now − θ_t): with `p_t = −10·log10(MSE_t)`
 * the PSNR of the step's fit, when `p_t < p_ref − drop` the parameters become
 * `θ_ref + Δ_t` (the DIP code's order: restore, then the step's update),
 * otherwise `θ_ref ← θ_t, p_ref ← p_t`. The history records `backtrack`
 * (the drop in dB) at each step where it fired. Its reference parameters and
 * PSNR are checkpointed (θ_t lives only within a step).
 */
export class Backtracker implements Callback {
  readonly every = 1;
  /** The parameters the current step's forward pass used (θ_t). */
  #before: Record<string, tf.Tensor> | null = null;
  /** The last accepted step's parameters and PSNR. */
  #reference: Record<string, tf.Tensor> | null = null;
  #referencePsnr = -Infinity;

  constructor(readonly config: BacktrackConfig) {}

  /**
   * Copies the parameters the step's forward pass is about to use (θ_t);
   * fitDip calls it first thing in its loss, so that whatever changed them
   * since the last step (Langevin noise, other callbacks) is part of θ_t.
   */
  beforeForward(): void {
    if (this.#before) disposeAll(this.#before);
    this.#before = Object.fromEntries(
      Object.entries(this.config.variables).map(([k, v]) => [k, tf.keep(v.clone())]),
    );
  }

  async onStep(ctx: { step: number; history: History }): Promise<void> {
    const error = this.config.fitError();
    if (!error || !this.#before) return;
    const mse = (await error.data())[0];
    const value = -10 * Math.log10(mse);
    if (this.#reference && value < this.#referencePsnr - this.config.drop) {
      const ref = this.#reference, before = this.#before;
      for (const [name, v] of Object.entries(this.config.variables)) {
        tf.tidy(() => v.assign(ref[name].add(v.sub(before[name]))));
      }
      ctx.history.add(ctx.step, { backtrack: this.#referencePsnr - value });
      disposeAll(this.#before);
    } else {
      if (this.#reference) disposeAll(this.#reference);
      this.#reference = this.#before;
      this.#referencePsnr = value;
    }
    this.#before = null;
  }

  getState(): CallbackState {
    // JSON has no Infinity (a fit with zero error): store the largest double instead.
    const json: BacktrackJson = {
      reference: this.#reference ? Math.min(this.#referencePsnr, Number.MAX_VALUE) : null,
    };
    return { tensors: { ...(this.#reference ?? {}) }, json };
  }

  setState(state: CallbackState): void {
    const json = state.json as BacktrackJson | null;
    this.dispose();
    if (json && json.reference !== null) {
      this.#reference = state.tensors ?? {};
      this.#referencePsnr = json.reference >= Number.MAX_VALUE ? Infinity : json.reference;
    }
  }

  /** Frees every copy of the parameters. */
  dispose(): void {
    for (const t of [this.#before, this.#reference]) if (t) disposeAll(t);
    this.#before = this.#reference = null;
    this.#referencePsnr = -Infinity;
  }
}

function disposeAll(tensors: Record<string, tf.Tensor>): void {
  for (const t of Object.values(tensors)) t.dispose();
}
