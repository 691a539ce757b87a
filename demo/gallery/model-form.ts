// The model form: a radio group of gallery models, the size and θ inputs of the
// one chosen (with its ranges), and the JSON box of "your graph". Any edit is
// reported at once, so the page can take old results off the screen.
import { catalogue, type ModelSource, type ModelSpec } from './catalogue.js';

/** θ₀, θ₁, …: the name of parameter i of a graph without names of its own. */
export function thetaName(i: number): string {
  return `θ${String(i).replace(/\d/g, (d) => '₀₁₂₃₄₅₆₇₈₉'[Number(d)])}`;
}

/** What the form describes, once checked. */
export interface FormValues {
  spec: ModelSpec;
  source: ModelSource;
  theta: Float64Array;
}

/** A problem with the form's values, naming the input. */
export class FormError extends Error {
  override name = 'FormError';
  constructor(message: string, readonly input: HTMLElement | null) {
    super(message);
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** The number of parameters a graph JSON text declares, or 0 when it cannot be read yet. */
function declaredParameters(text: string): number {
  try {
    const value = (JSON.parse(text) as { paramLength?: unknown }).paramLength;
    return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 256 ? (value as number) : 0;
  } catch {
    return 0;
  }
}

/** The gallery's form. */
export class ModelForm {
  private spec: ModelSpec = catalogue[0];
  private readonly size = $<HTMLInputElement>('size');
  private readonly json = $<HTMLTextAreaElement>('graph-json');
  private readonly thetaInputs = $<HTMLDivElement>('theta-inputs');

  /** `onEdit` runs on every edit of any input (model, size, θ, JSON). */
  constructor(private readonly onEdit: () => void) {
    const choices = $<HTMLDivElement>('model-choices');
    for (const spec of catalogue) {
      const label = document.createElement('label');
      label.className = 'choice';
      const input = Object.assign(document.createElement('input'), { type: 'radio', name: 'model', value: spec.id, id: `model-${spec.id}` });
      label.append(input, document.createTextNode(spec.title));
      choices.append(label);
    }
    choices.addEventListener('change', (event) => {
      const id = (event.target as HTMLInputElement).value;
      this.select(id);
      this.onEdit();
    });
    $('model-form').addEventListener('input', (event) => {
      if ((event.target as HTMLElement).getAttribute('name') === 'model') return;
      if (event.target === this.json && this.spec.id === 'json') this.renderTheta(this.jsonParameters());
      this.onEdit();
    });
    $<HTMLInputElement>('graph-file').addEventListener('change', async (event) => {
      const file = (event.target as HTMLInputElement).files?.[0];
      if (!file) return;
      this.json.value = await file.text();
      this.renderTheta(this.jsonParameters());
      this.onEdit();
    });
    this.select(catalogue[0].id);
  }

  /** The model shown now. */
  get model(): ModelSpec {
    return this.spec;
  }

  /** Shows model `id` with its default size and θ. */
  select(id: string): void {
    this.spec = catalogue.find((m) => m.id === id) ?? catalogue[0];
    $<HTMLInputElement>(`model-${this.spec.id}`).checked = true;
    $('model-blurb').textContent = this.spec.blurb;
    const { size } = this.spec;
    $('size-field').hidden = !size;
    $('json-fields').hidden = this.spec.id !== 'json';
    if (size) {
      $('size-label').textContent = `${size.label} (${size.min}–${size.max})`;
      Object.assign(this.size, { min: String(size.min), max: String(size.max), value: String(size.value) });
    }
    this.renderTheta(this.spec.id === 'json' ? this.jsonParameters() : this.spec.parameters.length);
  }

  private jsonParameters(): number {
    return declaredParameters(this.json.value);
  }

  /** θ inputs: the model's, or θ₀…θ_{p−1} for graph JSON. */
  private renderTheta(count: number): void {
    const specs = this.spec.id === 'json'
      ? Array.from({ length: count }, (_, i) => ({ label: thetaName(i), value: 1, min: 0, max: 1e6 }))
      : this.spec.parameters;
    const previous = Array.from(this.thetaInputs.querySelectorAll('input'), (input) => input.value);
    this.thetaInputs.replaceChildren(...specs.map((p, i) => {
      const field = document.createElement('div');
      field.className = 'field';
      const label = Object.assign(document.createElement('label'), { htmlFor: `theta-${i}`, textContent: `${p.label} (${p.min}–${p.max})` });
      const input = Object.assign(document.createElement('input'), {
        id: `theta-${i}`, type: 'number', step: 'any', inputMode: 'decimal', min: String(p.min), max: String(p.max),
        value: this.spec.id === 'json' && previous[i] !== undefined ? previous[i] : String(p.value),
      });
      field.append(label, input);
      return field;
    }));
    $('theta-fields').hidden = specs.length === 0;
  }

  /** The checked values; throws FormError naming the input at fault. */
  read(): FormValues {
    const spec = this.spec;
    const inputs = Array.from(this.thetaInputs.querySelectorAll('input'));
    const ranges = spec.id === 'json' ? inputs.map(() => ({ min: 0, max: Infinity, label: 'θ' })) : spec.parameters;
    const theta = Float64Array.from(inputs, (input, i) => {
      const value = Number(input.value);
      const { min, max, label } = ranges[i];
      if (input.value.trim() === '' || !Number.isFinite(value) || value < min || value > max)
        throw new FormError(`${label} must be a number from ${min} to ${max}${input.value.trim() ? `, got ${input.value}` : ''}`, input);
      return value;
    });
    if (spec.id === 'json') {
      const text = this.json.value.trim();
      if (!text) throw new FormError('paste graph JSON or choose a file', this.json);
      return { spec, source: { id: 'json', text }, theta };
    }
    const size = Number(this.size.value);
    const range = spec.size!;
    if (!Number.isInteger(size) || size < range.min || size > range.max)
      throw new FormError(`${range.label} must be a whole number from ${range.min} to ${range.max}${this.size.value ? `, got ${this.size.value}` : ''}`, this.size);
    return { spec, source: { id: spec.id, size }, theta };
  }
}
