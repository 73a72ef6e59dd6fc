//! Password hashing, against hashes made by Werkzeug (test_security.py).

use std::time::Instant;

use carafe_wrappers::{
    PasswordHashError, PasswordMethod, check_password_hash, generate_password_hash,
    generate_password_hash_with, needs_rehash,
};

/// `(password, hash)` pairs from `fixtures/werkzeug-password-hashes.tsv`.
fn werkzeug_vectors() -> Vec<(String, String)> {
    include_str!("fixtures/werkzeug-password-hashes.tsv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let (password, hash) = line.split_once('\t').expect("password<TAB>hash");
            let password: String = serde_json::from_str(password).expect("a JSON string");
            (password, hash.to_owned())
        })
        .collect()
}

/// Whether checking `hash` takes seconds in a debug build (scrypt with
/// `n >= 16384`, PBKDF2 with 100,000 iterations or more).
fn is_slow(hash: &str) -> bool {
    let method: PasswordMethod = hash.split('$').next().unwrap().parse().unwrap();
    match method.to_string().split(':').collect::<Vec<_>>().as_slice() {
        ["scrypt", n, ..] => n.parse::<u64>().unwrap() >= 16_384,
        ["pbkdf2", _, iterations] => iterations.parse::<u64>().unwrap() >= 100_000,
        _ => unreachable!(),
    }
}

fn verify(vectors: &[(String, String)]) {
    for (password, hash) in vectors {
        let started = Instant::now();
        assert!(check_password_hash(hash, password), "{hash}");
        assert!(
            !check_password_hash(hash, &format!("{password}x")),
            "{hash}"
        );
        eprintln!(
            "{} checked twice in {:?}",
            hash.split('$').next().unwrap(),
            started.elapsed()
        );
    }
}

#[test]
fn hashes_made_by_werkzeug_verify() {
    let vectors = werkzeug_vectors();
    assert_eq!(vectors.len(), 10);
    let fast: Vec<_> = vectors
        .into_iter()
        .filter(|(_, hash)| !is_slow(hash))
        .collect();
    assert_eq!(fast.len(), 7);
    verify(&fast);
}

#[test]
#[ignore = "slow in debug builds (Werkzeug's default scrypt and pbkdf2 costs): run by .ci/run"]
fn hashes_made_by_werkzeug_with_default_costs_verify() {
    let slow: Vec<_> = werkzeug_vectors()
        .into_iter()
        .filter(|(_, hash)| is_slow(hash))
        .collect();
    assert_eq!(slow.len(), 3);
    verify(&slow);
}

#[test]
fn tampered_hashes_do_not_verify() {
    let (password, hash) = &werkzeug_vectors()[0];
    let (prefix, hex) = hash.rsplit_once('$').unwrap();
    let flipped = if hex.ends_with('0') { "1" } else { "0" };
    let tampered = format!("{prefix}${}{flipped}", &hex[..hex.len() - 1]);
    assert!(!check_password_hash(&tampered, password));
    assert!(!check_password_hash(
        &format!("{prefix}${}", hex.to_uppercase()),
        password
    ));
    assert!(!check_password_hash(
        &hash.replacen("1000", "1001", 1),
        password
    ));
    for broken in [
        "",
        "$$",
        "pbkdf2:sha256:1000",
        "pbkdf2:sha256:1000$salt",
        "md5$a$b",
    ] {
        assert!(!check_password_hash(broken, password), "{broken:?}");
    }
}

// Werkzeug test_default_password_method / test_scrypt / test_salted_hashes
#[test]
fn default_method_is_werkzeugs() {
    assert_eq!(PasswordMethod::default().to_string(), "scrypt:32768:8:1");
    assert_eq!(
        "scrypt".parse::<PasswordMethod>().unwrap(),
        PasswordMethod::default()
    );
    let cheap: PasswordMethod = "scrypt:1024:8:1".parse().unwrap();
    let first = generate_password_hash_with("secret", cheap, 16).unwrap();
    let second = generate_password_hash_with("secret", cheap, 16).unwrap();
    assert!(first.starts_with("scrypt:1024:8:1$"), "{first}");
    assert_ne!(first, second);
    assert!(check_password_hash(&first, "secret") && check_password_hash(&second, "secret"));
    assert!(needs_rehash(&first));
}

#[test]
#[ignore = "slow in debug builds (Werkzeug's default scrypt cost): run by .ci/run"]
fn default_hashes_are_scrypt_and_salted() {
    let first = generate_password_hash("secret");
    let second = generate_password_hash("secret");
    assert!(first.starts_with("scrypt:32768:8:1$"), "{first}");
    assert_ne!(first, second);
    assert!(check_password_hash(&first, "secret"));
    assert!(check_password_hash(&second, "secret"));
    assert!(!needs_rehash(&first));
}

// Werkzeug test_pbkdf2
#[test]
fn pbkdf2_method() {
    let method: PasswordMethod = "pbkdf2".parse().unwrap();
    assert_eq!(method, PasswordMethod::pbkdf2());
    let cheap: PasswordMethod = "pbkdf2:sha256:2000".parse().unwrap();
    let hash = generate_password_hash_with("secret", cheap, 16).unwrap();
    assert!(hash.starts_with("pbkdf2:sha256:2000$"));
    assert!(check_password_hash(&hash, "secret"));
    assert!(needs_rehash(&hash));
}

// Werkzeug test_require_salt / test_invalid_method
#[test]
fn invalid_arguments() {
    assert_eq!(
        generate_password_hash_with("secret", PasswordMethod::default(), 0),
        Err(PasswordHashError::EmptySalt)
    );
    let error = "sha256".parse::<PasswordMethod>().unwrap_err();
    assert_eq!(error.to_string(), "invalid password hash method \"sha256\"");
}

/// Runs Python with Werkzeug; `CARAFE_WERKZEUG_PYTHON` names the interpreter
/// (`.ci/run` installs Werkzeug into a venv and sets it).
fn werkzeug_python(script: &str, args: &[&str]) -> String {
    let python = std::env::var("CARAFE_WERKZEUG_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let output = std::process::Command::new(&python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {python}: {error}"));
    assert!(
        output.status.success(),
        "{python} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[test]
#[ignore = "needs python3 with werkzeug (pip): run by .ci/run"]
fn hashes_made_here_verify_in_werkzeug_and_back() {
    let check = "import sys; from werkzeug.security import check_password_hash as c; \
                 print(c(sys.argv[1], sys.argv[2]))";
    let make = "import sys; from werkzeug.security import generate_password_hash as g; \
                print(g(sys.argv[1], sys.argv[2]))";
    for (password, method) in [
        ("secret", "scrypt:32768:8:1"),
        ("pässwörd 🔑", "scrypt:1024:8:2"),
        ("secret", "pbkdf2:sha256:1000000"),
        ("", "pbkdf2:sha512:1000"),
    ] {
        let ours = generate_password_hash_with(password, method.parse().unwrap(), 16).unwrap();
        assert_eq!(werkzeug_python(check, &[&ours, password]), "True", "{ours}");
        assert_eq!(werkzeug_python(check, &[&ours, "wrong"]), "False", "{ours}");
        let theirs = werkzeug_python(make, &[password, method]);
        assert!(check_password_hash(&theirs, password), "{theirs}");
    }
}
