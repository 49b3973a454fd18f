// Roles a user account or an API token can have ("public" is the anonymous visitor).
export const USER_ROLES = ['admin', 'regulator', 'inspector', 'enterprise'];

export const ROLE_TAG = {
  admin: 'danger',
  regulator: 'warning',
  inspector: 'primary',
  enterprise: 'success',
  public: 'info',
};
