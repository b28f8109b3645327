import { describe, expect, it } from 'vitest';
import { API_KEY_SCOPES, BUILT_IN_ROLES, isPermission, PERMISSION_NAMES } from './permissions';

describe('built-in roles', () => {
  it('grant only permissions from the catalogue', () => {
    for (const role of Object.values(BUILT_IN_ROLES)) {
      for (const p of role.permissions) expect(isPermission(p)).toBe(true);
    }
  });

  it('give the owner everything and the auditor only reads', () => {
    expect(new Set(BUILT_IN_ROLES.owner.permissions)).toEqual(new Set(PERMISSION_NAMES));
    expect(BUILT_IN_ROLES.auditor.permissions.every((p) => p.endsWith(':read'))).toBe(true);
    expect(BUILT_IN_ROLES.auditor.permissions).toContain('audit:read');
  });

  it('keep finance approvals away from admins and operators', () => {
    for (const role of [BUILT_IN_ROLES.admin, BUILT_IN_ROLES.operator]) {
      expect(role.permissions).not.toContain('payouts:approve');
      expect(role.permissions).not.toContain('payouts:execute');
    }
  });

  it('let API keys carry no user or role administration', () => {
    expect(API_KEY_SCOPES.some((s) => s.startsWith('users:') || s.startsWith('roles:'))).toBe(
      false,
    );
  });
});
