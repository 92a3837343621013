"""Signing in through an identity provider (VNeID and any OpenID Connect provider).

- `base.py`: what a provider is (`IdentityProvider`: start the sign-in, finish it into a
  `VerifiedIdentity`) and its errors (`IdentityError`, with a stable code);
- `registry.py`: the providers configured in `settings.MOTCUA_IDENTITY_PROVIDERS`;
- `contrib/<name>/`: the providers shipped with motcua (`oidc`: OpenID Connect with Authlib);
- `services.py`: a verified identity becomes a signed-in citizen account (found by personal
  identification number, created or updated, marked verified: the e-forms lock those fields);
- `views.py`, `urls.py`: `/accounts/<provider>/login/` and `/accounts/<provider>/callback/`.
"""
