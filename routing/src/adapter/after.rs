//! What follows a match: the redirect or error a miss becomes, the
//! after-match steps (rule redirects, automatic OPTIONS, 405), and the
//! URLs they name.

use super::*;

impl MapAdapter<'_> {
    pub(super) fn miss_error(&self, miss: Miss) -> MatchError {
        match miss {
            Miss::Path(path) => MatchError::RequestRedirect {
                location: self.redirect_url(&path, None),
            },
            Miss::NoMatch { have, ws_mismatch } => {
                if !have.is_empty() {
                    MatchError::MethodNotAllowed {
                        allowed: have.to_sorted_vec(),
                    }
                } else if ws_mismatch {
                    MatchError::WebsocketMismatch
                } else {
                    MatchError::NotFound
                }
            }
            Miss::Limit => MatchError::BadRequest(BadRequest::MatchLimit { limit: MATCH_LIMIT }),
        }
    }

    /// Alias and default redirects, `redirect_to`, automatic OPTIONS.
    pub(super) fn after_match(
        &self,
        id: u32,
        values: &Values<'_>,
        method: &Method,
        path: &str,
    ) -> Result<(), MatchError> {
        let map = self.map;
        let rule = &map.rules[id as usize];
        let key = MethodKey::new(method);
        if rule.rule.alias && map.settings.redirect_defaults {
            let mut builder = self
                .url_for(&rule.rule.endpoint)
                .method(method.clone())
                .external(true)
                .append_unknown(false);
            for (k, v) in values.iter() {
                builder = builder.value(k, v.borrowed());
            }
            if let Ok(mut url) = builder.build() {
                if !self.query.is_empty() {
                    url.push('?');
                    url.push_str(&self.query);
                }
                return Err(MatchError::RequestRedirect { location: url });
            }
        }
        if map.settings.redirect_defaults {
            for &other in &map.default_providers[id as usize] {
                let r = &map.rules[other as usize];
                if !self.suitable_for(r, values, Some(method)) {
                    continue;
                }
                let mut merged: Vec<(Cow<'_, str>, Value<'_>)> = values
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(k), v.borrowed()))
                    .collect();
                for (k, v) in &r.rule.defaults {
                    match merged.iter_mut().find(|(n, _)| n == k) {
                        Some(slot) => slot.1 = v.borrowed(),
                        None => merged.push((Cow::Borrowed(k.as_str()), v.borrowed())),
                    }
                }
                if let Ok((domain, path)) = self.build_rule(r, &merged, true) {
                    return Err(MatchError::RequestRedirect {
                        location: self.redirect_url(&path, Some(&domain)),
                    });
                }
            }
        }
        if let Some(target) = &rule.rule.redirect_to {
            let target = match target {
                RedirectTo::Url(t) => fill_placeholders(t, rule, values),
                RedirectTo::Fn(f) => f(values),
            };
            let base = format!(
                "{}://{}{}/",
                self.scheme_or_http(),
                self.host_for(None),
                self.script_root
            );
            return Err(MatchError::RequestRedirect {
                location: urljoin(&base, &target),
            });
        }
        if key.is_options() && rule.auto_options {
            return Err(MatchError::AutomaticOptions {
                allowed: match self.general(path, MethodKey::Nothing) {
                    Err(Miss::NoMatch { have, .. }) => have.to_sorted_vec(),
                    _ => rule
                        .methods
                        .as_ref()
                        .map(MethodSet::to_sorted_vec)
                        .unwrap_or_default(),
                },
            });
        }
        Ok(())
    }

    pub(crate) fn scheme_or_http(&self) -> &str {
        if self.scheme.is_empty() {
            "http"
        } else {
            &self.scheme
        }
    }

    /// Werkzeug's `get_host`: the host for a domain part (subdomain or
    /// host), or the current one.
    pub(crate) fn host_for(&self, domain_part: Option<&str>) -> String {
        if self.map.settings.host_matching {
            return domain_part.unwrap_or(&self.server_name).to_owned();
        }
        let sub = domain_part.unwrap_or(&self.subdomain);
        if sub.is_empty() || !self.map.settings.subdomain_matching {
            self.server_name.to_string()
        } else {
            format!("{sub}.{}", self.server_name)
        }
    }

    /// Werkzeug's `make_redirect_url`: absolute URL for a canonical path,
    /// with the bound query string.
    pub(crate) fn redirect_url(&self, path: &str, domain_part: Option<&str>) -> String {
        let mut url = format!(
            "{}://{}{}/{}",
            self.scheme_or_http(),
            self.host_for(domain_part),
            self.script_root,
            path.trim_start_matches('/')
        );
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&self.query);
        }
        url
    }

    /// Werkzeug's `Rule.suitable_for`.
    pub(crate) fn suitable_for(
        &self,
        rule: &CompiledRule,
        values: &Values<'_>,
        method: Option<&Method>,
    ) -> bool {
        if let (Some(m), Some(_)) = (method, &rule.methods)
            && !rule.allows(MethodKey::new(m))
        {
            return false;
        }
        for arg in &rule.arguments {
            if rule.default_for(arg).is_none() && !values.contains(arg) {
                return false;
            }
        }
        for (k, v) in &rule.rule.defaults {
            if let Some(given) = values.get(k)
                && given != v
            {
                return false;
            }
        }
        true
    }
}

/// Replaces `<name>` in a redirect target by the converter's URL form.
fn fill_placeholders(target: &str, rule: &CompiledRule, values: &Values<'_>) -> String {
    let mut out = String::with_capacity(target.len());
    let mut rest = target;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('>').filter(|&c| c > 0) else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = &after[..close];
        if let Some(v) = values.get(name) {
            let text = match rule.var_index(name) {
                Some(i) => {
                    let conv = &rule.converters[i];
                    match conv.to_url(v) {
                        Ok(t) => {
                            crate::encode::encode_path_text(&t, conv.matches_slash()).into_owned()
                        }
                        Err(_) => v.to_string(),
                    }
                }
                None => crate::encode::encode_path_text(&v.to_string(), false).into_owned(),
            };
            out.push_str(&text);
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}
