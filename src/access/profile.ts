import { invalid } from '../errors.js';
import { isLanguageTag } from '../shared/json-schema.js';
import type { RoleGrant, RoleName } from '../store/ports.js';
import { isCountryCode, normalizeCountry } from './countries.js';
import { roleNames } from './policy.js';

/** Input checks shared by the user service and the access-request service; each error names its field. */

const emailPattern = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

export function checkEmail(value: unknown, parameter = 'email'): string {
  const email = typeof value === 'string' ? value.trim() : '';
  if (!email) throw invalid('email-missing', 'an e-mail address is required', { parameter });
  if (email.length > 254 || !emailPattern.test(email)) throw invalid('email-invalid', `"${email}" is not an e-mail address`, { parameter });
  return email;
}

export function checkText(value: unknown, parameter: string, { required = true, max = 200 } = {}): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (required && !text) throw invalid('field-missing', `${parameter} is required`, { parameter });
  if (text.length > max) throw invalid('field-too-long', `${parameter} must have at most ${max} characters`, { parameter, max });
  return text;
}

export function checkCountry(value: unknown, parameter = 'country'): string {
  const code = typeof value === 'string' ? normalizeCountry(value) : '';
  if (!code) throw invalid('field-missing', `${parameter} is required`, { parameter });
  if (!isCountryCode(code)) throw invalid('country-invalid', `"${code}" is not an ISO 3166-1 alpha-2 country code`, { parameter });
  return code;
}

export function checkLanguage(value: unknown, parameter = 'language'): string {
  if (value === undefined || value === null || value === '') return 'en';
  if (typeof value !== 'string' || !isLanguageTag(value)) throw invalid('language-invalid', `"${String(value)}" is not a language tag`, { parameter });
  return value;
}

/** Roles as stored: known names, no duplicates; approvers need at least one country; countries are ISO codes. */
export function checkRoles(value: unknown, parameter = 'roles'): RoleGrant[] {
  if (!Array.isArray(value)) throw invalid('roles-invalid', 'roles must be a list', { parameter });
  const seen = new Set<string>();
  return value.map((item: unknown, index): RoleGrant => {
    const where = `${parameter}/${index}`;
    const grant = (typeof item === 'string' ? { role: item } : item) as { role?: unknown; countries?: unknown } | null;
    const role = grant?.role;
    if (typeof role !== 'string' || !roleNames.includes(role as RoleName)) {
      throw invalid('role-invalid', `unknown role "${String(role)}"; roles are ${roleNames.join(', ')}`, { parameter: where });
    }
    if (seen.has(role)) throw invalid('role-repeated', `role ${role} is given twice`, { parameter: where });
    seen.add(role);
    const rawCountries = grant?.countries ?? [];
    if (!Array.isArray(rawCountries)) throw invalid('countries-invalid', 'countries must be a list', { parameter: `${where}/countries` });
    const countries = [...new Set(rawCountries.map((c: unknown, i) => checkCountry(c, `${where}/countries/${i}`)))];
    if (role === 'approver' && countries.length === 0) {
      throw invalid('approver-countries-missing', 'an approver needs at least one country', { parameter: `${where}/countries` });
    }
    if (countries.length > 0 && role !== 'approver' && role !== 'analyst') {
      throw invalid('countries-not-allowed', `role ${role} is not limited to countries`, { parameter: `${where}/countries` });
    }
    return countries.length > 0 ? { role: role as RoleName, countries } : { role: role as RoleName };
  });
}
