"""A demo identity provider ("VNeID" sandbox) inside motcua, under `/demo-idp/`: a real
OpenID Connect provider (discovery, authorization code with PKCE, RS256-signed ID tokens,
JWKS, userinfo) whose people are demo records of the National Population Database shape.
On only with `MOTCUA_DEMO_IDP` (the demo mode turns it on); never in production by default.
The demo and the tests sign in through it without any outside network."""
