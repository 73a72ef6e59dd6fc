//! The email example (`examples/email.rs`), compiled in as a module and checked.

#[allow(dead_code)]
#[path = "../examples/email.rs"]
mod example;

#[test]
fn the_email_example_renders_a_text_and_an_html_part() {
    let env = example::environment().unwrap();
    let (user, files) = example::sample();
    let email = example::welcome_email(&env, &user, &files).unwrap();
    assert_eq!(email.subject, "Welcome to Carafe & Co, Ada <Lovelace>");
    assert_eq!(
        email.text,
        "Welcome, Ada <Lovelace>!\n\nThanks for signing up. Everything you upload is kept in your\n\
         space, and nobody else can see it until you share it.\n\nYour trial ends on Thursday 24 December 2026.\n\n\
         \x20 - notes.txt (1.5 kB)\n  - engine.png (2.4 MB)\n\n--\n\
         Carafe & Co · unsubscribe: https://example.com/unsubscribe?u=ada@example.com"
    );
    assert!(
        email
            .html
            .contains("<h1>Welcome, Ada &lt;Lovelace&gt;!</h1>"),
        "{}",
        email.html
    );
    assert!(
        email
            .html
            .contains("<tr><td>engine.png</td><td>2.4 MB</td></tr>"),
        "{}",
        email.html
    );
    assert!(email.html.contains("Carafe &amp; Co"), "{}", email.html);
    let message = example::mime_message("ada@example.com", &email);
    assert!(message.contains(
        "Content-Type: multipart/alternative; boundary=\"carafe-alternative-boundary\"\r\n"
    ));
    assert!(
        !message.replace("\r\n", "").contains('\n'),
        "every line ends with CRLF"
    );
    assert!(message.ends_with("--carafe-alternative-boundary--\r\n"));
}
