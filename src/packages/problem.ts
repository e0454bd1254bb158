/**
 * What an import reports: errors reject the package, warnings are shown to the author but
 * do not stop the import. Every problem says, in words a course author understands, which
 * file and which element were wrong (DESIGN.md, "Errors").
 */

export interface Problem {
  /** Path of the file inside the package (`imsmanifest.xml`), or the zip's own name for archive problems. */
  readonly file?: string;
  /** Where in the file: an XPath-like path, e.g. `manifest/organizations/organization[1]/item[2]`, or a zip entry name. */
  readonly element?: string;
  /** What is wrong, in plain words. */
  readonly message: string;
  /** Stable machine-readable code, e.g. `manifest-not-at-root`, `zip-entry-path-traversal`. */
  readonly code: string;
}

/** Collects errors and warnings while a package is read. */
export class ProblemList {
  readonly errors: Problem[] = [];
  readonly warnings: Problem[] = [];

  error(code: string, message: string, where: { file?: string; element?: string } = {}): void {
    this.errors.push(withWhere(code, message, where));
  }

  warn(code: string, message: string, where: { file?: string; element?: string } = {}): void {
    this.warnings.push(withWhere(code, message, where));
  }

  get hasErrors(): boolean {
    return this.errors.length > 0;
  }
}

function withWhere(code: string, message: string, where: { file?: string; element?: string }): Problem {
  return {
    code,
    message,
    ...(where.file !== undefined ? { file: where.file } : {}),
    ...(where.element !== undefined ? { element: where.element } : {}),
  };
}

/** Thrown inside the importer to stop at once with a list of problems; never escapes `inspectPackage`. */
export class PackageRejected extends Error {
  override readonly name = 'PackageRejected';
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map((p) => p.message).join('; '));
  }
}

export function reject(code: string, message: string, where: { file?: string; element?: string } = {}): never {
  throw new PackageRejected([withWhere(code, message, where)]);
}
