//! `url_for!(handler, name = value, ...)`: a `carafe::UrlFor` whose
//! endpoint, names and value types are checked by the compiler.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Path, Token};

struct Input {
    handler: Path,
    values: Vec<(Ident, Expr)>,
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(
                input.error("expected a #[route] handler: url_for!(handler, name = value, ...)")
            );
        }
        let handler: Path = input.parse()?;
        let mut values = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let name = Ident::parse_any(input)?;
            input.parse::<Token![=]>()?;
            let value: Expr = input.parse()?;
            if values
                .iter()
                .any(|(n, _): &(Ident, Expr)| n.unraw() == name.unraw())
            {
                return Err(syn::Error::new(
                    name.span(),
                    format!("`{name}` is given twice"),
                ));
            }
            values.push((name, value));
        }
        Ok(Input { handler, values })
    }
}

/// A field name for a rule variable: raw when it is a keyword.
fn field(name: &Ident) -> Ident {
    let text = name.unraw().to_string();
    if syn::parse_str::<Ident>(&text).is_ok() {
        Ident::new(&text, name.span())
    } else {
        Ident::new_raw(&text, name.span())
    }
}

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let input: Input = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let handler = &input.handler;
    let alias = format_ident!("__CarafeUrlArgs", span = handler.span());
    let inits = input.values.iter().map(|(name, value)| {
        let field = field(name);
        quote_spanned! {value.span()=> #field: ::carafe::__private::url_arg(#value) }
    });
    let values = input.values.iter().map(|(name, _)| {
        let field = field(name);
        let text = name.unraw().to_string();
        quote_spanned! {name.span()=> .value(#text, __carafe_args.#field) }
    });
    quote! {{
        #[allow(non_camel_case_types)]
        type #alias = <#handler as ::carafe::Route>::UrlArgs;
        let __carafe_args = #alias { #(#inits),* };
        ::carafe::UrlFor::route::<#handler>() #(#values)*
    }}
}
