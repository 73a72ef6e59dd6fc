//! The app factory.

mod contact;
mod upload;

use std::path::PathBuf;

use carafe::cli::BoxError;
use carafe::config::Config;
use carafe::prelude::*;
use serde::Deserialize;

pub(crate) use contact::Inbox;
pub(crate) use upload::UploadFolder;

/// The app's section of the config.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FormsSettings {
    /// Where uploads are saved.
    #[serde(default)]
    pub(crate) upload_folder: Option<PathBuf>,
}

#[get("/")]
fn index(request: &Request) -> Result<Redirect, Error> {
    Ok(Redirect::to(
        request.url_for(url_for!(contact::contact_form))?,
    ))
}

/// The app, from a loaded config.
pub(crate) fn build_app(config: &Config<FormsSettings>) -> Result<App, BoxError> {
    let folder = config
        .app
        .upload_folder
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("carafe-forms-uploads"));
    std::fs::create_dir_all(&folder)
        .map_err(|error| format!("the upload folder {}: {error}", folder.display()))?;
    let app = config
        .settings
        .apply_to(App::builder())
        .template_folder(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/forms/templates"
        ))
        .state(Inbox::default())
        .state(UploadFolder { path: folder })
        .register(index)
        .register_blueprint(contact::blueprint())
        .register_blueprint(upload::blueprint())
        .error_handler(413, upload::too_large)
        .try_build()?;
    Ok(app)
}

/// The app factory.
pub(crate) fn create_app() -> Result<App, BoxError> {
    let config: Config<FormsSettings> = Config::load()?;
    build_app(&config)
}
